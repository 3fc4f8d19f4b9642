package io.github.nola4j.samples.cnn;

import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The fine-tuning network of a {@link Method}, made from a pretrained {@link BaseCnn} by
 * {@link NolaTransfer}: the layers in {@link BaseCnn#ADAPTED_LAYERS} get the method's treatment,
 * the head is new (same layer, {@code numClasses} outputs, fresh weights) and trains with Adam at its
 * own learning rate, everything else that trains at {@code learningRate}.
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
        NolaTransfer<MultiLayerNetwork> transfer = NolaTransfer.of(base).replaceHead(BaseCnn.HEAD, numClasses)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(seed).updater(new Adam(learningRate))
                        .build())
                .headUpdater(new Adam(headLearningRate));
        return method.configure(transfer, spec).build();
    }
}
