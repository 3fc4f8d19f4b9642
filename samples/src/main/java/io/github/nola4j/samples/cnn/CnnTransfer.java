package io.github.nola4j.samples.cnn;

import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

/**
 * The fine-tuning network of a {@link Method}, made from a pretrained base ({@link BaseArchitecture})
 * by {@link NolaTransfer}: the base's last layer with weights is the head, which is replaced (same
 * layer, {@code numClasses} outputs, fresh weights) and trains with Adam at its own learning rate;
 * the convolutions and dense layers below it ({@link #adaptedLayers}) get the method's treatment,
 * and everything else that trains does so at {@code learningRate}.
 */
public final class CnnTransfer {

    private CnnTransfer() {
    }

    /**
     * @param base         pretrained base network (not modified)
     * @param method       how the adapted layers are treated
     * @param spec         NOLA and LoRA options (ignored by other methods)
     * @param numClasses   classes of the new head
     * @param learningRate Adam learning rate of everything that trains below the head
     * @param headLearningRate Adam learning rate of the new head
     * @param seed         seed of the new head's initialisation
     */
    public static TransferResult<MultiLayerNetwork> create(MultiLayerNetwork base, Method method, AdapterSpec spec,
                                                           int numClasses, double learningRate, double headLearningRate,
                                                           long seed) {
        NolaTransfer<MultiLayerNetwork> transfer = NolaTransfer.of(base).replaceHead(head(base), numClasses)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(seed).updater(new Adam(learningRate))
                        .build())
                .headUpdater(new Adam(headLearningRate));
        return method.configure(transfer, spec, adaptedLayers(base)).build();
    }

    /**
     * @return the name of the last layer of {@code base} with weights W: BaseCnn's "head", SimpleCNN's
     * last convolution
     */
    public static String head(MultiLayerNetwork base) {
        for (int i = base.getnLayers() - 1; i >= 0; i--) {
            if (base.getLayer(i).paramTable().containsKey("W")) {
                return base.getLayer(i).conf().getLayer().getLayerName();
            }
        }
        throw new IllegalArgumentException("the base has no layer with weights W to replace as the head");
    }

    /**
     * @return the names of the ConvolutionLayers and DenseLayers below the {@link #head}, in order:
     * {@link BaseCnn#ADAPTED_LAYERS} for the base CNN, SimpleCNN's nine convolutions below its head
     */
    public static List<String> adaptedLayers(MultiLayerNetwork base) {
        String head = head(base);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < base.getnLayers(); i++) {
            Layer conf = base.getLayer(i).conf().getLayer();
            if (conf.getLayerName().equals(head)) {
                break;
            }
            if (conf.getClass() == ConvolutionLayer.class || conf.getClass() == DenseLayer.class) {
                names.add(conf.getLayerName());
            }
        }
        return names;
    }
}
