package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;

import java.util.ArrayList;

/**
 * Configuration edits that freeze layers, applied to copies (never to the user's configuration).
 */
final class LayerFreezing {

    private LayerFreezing() {
    }

    /**
     * @param backprop true when layers below train, so that gradients must pass through this one
     * @return a copy of {@code layer} with a NoOp updater (no state), no regularisation and no
     * constraints, so its parameters never change, wrapped in a {@link FrozenInferenceLayer} when
     * {@code backprop}, otherwise in a {@link FrozenForwardLayer} (DL4J's {@link FrozenLayer}, where
     * DL4J's backward pass stops; see {@link NetworkEditor#withoutTrainableUpstream}); both run a
     * ConvolutionLayer, BatchNormalization or DenseLayer on libnd4j ({@link FrozenComputation})
     * @throws IllegalArgumentException for a layer with parameters whose updater cannot be set, or
     *                                  one that DL4J's frozen wrapper cannot hold ({@link #requireWrappable})
     */
    static Layer freeze(Layer layer, boolean backprop) {
        if (!(layer instanceof BaseLayer)) {
            throw new IllegalArgumentException("Layer \"" + layer.getLayerName() + "\" (" + layer.getClass()
                    .getSimpleName() + ") has parameters but is not a BaseLayer, so it cannot be frozen; mark it "
                    + "trainable with trainable(\"" + layer.getLayerName() + "\")");
        }
        requireWrappable(layer);
        BaseLayer copy = (BaseLayer) layer.clone();
        copy.setIUpdater(Trainability.frozenUpdater());
        copy.setBiasUpdater(Trainability.frozenUpdater());
        copy.setRegularization(new ArrayList<>());
        copy.setRegularizationBias(new ArrayList<>());
        copy.setConstraints(null);
        copy.setWeightNoise(null);
        copy.setIDropout(null); // runs in inference mode; DL4J would still backprop a stale dropout mask
        return backprop ? new FrozenInferenceLayer(copy) : new FrozenForwardLayer(copy);
    }

    /**
     * Refuses a layer that DL4J's {@link FrozenLayerWithBackprop} would size wrongly: the wrapper
     * must hold exactly the parameters of the layer it wraps. CenterLossOutputLayer (the output
     * layer of zoo FaceNetNN4Small2 and InceptionResNetV1) is one: the wrapper counts its W and b
     * but not its class centres, and building the network failed with an index error in ND4J.
     *
     * @throws IllegalArgumentException naming the layer, its type and how to keep it instead
     */
    static void requireWrappable(Layer layer) {
        long own = layer.initializer().numParams(configurationOf(layer));
        FrozenLayerWithBackprop wrapper = new FrozenLayerWithBackprop(layer);
        long wrapped = wrapper.initializer().numParams(configurationOf(wrapper));
        if (own != wrapped) {
            String name = layer.getLayerName();
            throw new IllegalArgumentException("Layer \"" + name + "\" (" + layer.getClass().getSimpleName()
                    + ") cannot be frozen: DL4J's FrozenLayerWithBackprop holds " + wrapped + " of its " + own
                    + " parameters (for a CenterLossOutputLayer: W and b without the class centres). Replace it "
                    + "with replaceHead(\"" + name + "\", nOut) (replaceHead(nOut) if it is the output layer), "
                    + "or keep it trainable with trainable(\"" + name + "\")");
        }
    }

    /** @return a layer configuration holding {@code layer}, as a network asks its parameter initializer */
    private static NeuralNetConfiguration configurationOf(Layer layer) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration();
        conf.setLayer(layer);
        return conf;
    }

    /**
     * @return a copy of a trainable BatchNormalization whose running mean and variance stay fixed
     * (decay 1: the update (1 − decay)·(running − batch) is exactly zero); γ and β still train and
     * training-mode forward passes still normalise with batch statistics
     */
    static Layer freezeRunningStatistics(BatchNormalization bn) {
        BatchNormalization copy = (BatchNormalization) bn.clone();
        copy.setDecay(1.0);
        return copy;
    }
}
