package io.github.nola4j.samples.cnn;

import io.github.nola4j.layers.LowRankLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the fine-tuning network of a {@link Method} from a pretrained {@link BaseCnn}: the layers
 * in {@link BaseCnn#ADAPTED_LAYERS} are replaced by {@link Method#adapt}, their W and b copied from
 * the base by layer and parameter name, and the head is new.
 *
 * <p>This stands in for nola-zoo's {@code NolaTransfer}, which swaps NOLA layers into any network,
 * and can be replaced by it.
 */
public final class AdaptedCnn {

    private AdaptedCnn() {
    }

    /**
     * @param base         pretrained base network (not modified)
     * @param method       how the adapted layers are treated
     * @param settings     NOLA and LoRA settings (ignored by other methods)
     * @param numClasses   classes of the new head
     * @param learningRate Adam learning rate of everything that trains
     * @param seed         seed of the new head's initialisation
     */
    public static MultiLayerNetwork create(MultiLayerNetwork base, Method method, AdapterSettings settings,
                                           int numClasses, double learningRate, long seed) {
        return create(base, method, settings, numClasses, learningRate, learningRate, seed);
    }

    /**
     * As {@link #create(MultiLayerNetwork, Method, AdapterSettings, int, double, long)}, the head
     * trained at its own Adam learning rate {@code headLearningRate}.
     */
    public static MultiLayerNetwork create(MultiLayerNetwork base, Method method, AdapterSettings settings,
                                           int numClasses, double learningRate, double headLearningRate, long seed) {
        List<org.deeplearning4j.nn.conf.layers.Layer> layers = new ArrayList<>();
        for (org.deeplearning4j.nn.conf.layers.Layer layer : BaseCnn.layers(numClasses)) {
            if (BaseCnn.HEAD.equals(layer.getLayerName()) && layer instanceof BaseLayer head) {
                head.setIUpdater(new Adam(headLearningRate));
            }
            layers.add(BaseCnn.ADAPTED_LAYERS.contains(layer.getLayerName())
                    ? method.adapt((FeedForwardLayer) layer, settings) : layer);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(BaseCnn.configuration(layers, seed, new Adam(learningRate)));
        net.init();
        for (String name : BaseCnn.ADAPTED_LAYERS) {
            copyParameters(base.getLayer(name), net.getLayer(name));
        }
        return net;
    }

    /** Copies every parameter of {@code from} into the parameter of the same name in {@code to}. */
    static void copyParameters(Layer from, Layer to) {
        for (var entry : from.paramTable().entrySet()) {
            INDArray target = to.getParam(entry.getKey());
            INDArray source = entry.getValue();
            if (target == null || target.length() != source.length()
                    || (target.rank() > 2 && !target.equalShapes(source))) {
                throw new IllegalStateException("layer \"" + from.conf().getLayer().getLayerName() + "\": parameter "
                        + entry.getKey() + " " + entry.getValue().shapeInfoToString() + " has no counterpart of the "
                        + "same shape in the adapted layer (" + (target == null ? "missing" : target.shapeInfoToString())
                        + ")");
            }
            // Biases are [nOut] or [1, nOut] depending on the layer type and how it was loaded.
            target.assign(source.reshape(target.shape())); // setParam does nothing on SameDiff layers
        }
    }

    /**
     * @return parameters that train, the head excluded: k + l per NOLA layer, r·(fanIn + nOut) per
     * LoRA layer, nothing for frozen layers, every parameter otherwise
     */
    public static long trainableWithoutHead(MultiLayerNetwork net) {
        long total = 0;
        for (Layer layer : net.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            if (BaseCnn.HEAD.equals(conf.getLayerName()) || conf instanceof FrozenLayer
                    || layer instanceof org.deeplearning4j.nn.layers.FrozenLayer) {
                continue;
            }
            total += conf instanceof LowRankLayer lowRank ? lowRank.numTrainableParams() : layer.numParams();
        }
        return total;
    }

    /** @return parameters of the head */
    public static long headParams(MultiLayerNetwork net) {
        return net.getLayer(BaseCnn.HEAD).numParams();
    }
}
