package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;

/**
 * Configuration edits that freeze layers, applied to copies (never to the user's configuration).
 */
final class LayerFreezing {

    private LayerFreezing() {
    }

    /**
     * @return a {@link FrozenBackpropLayer} around a copy of {@code layer} with a NoOp updater
     * (no state), no regularisation and no constraints, so its parameters never change
     * @throws IllegalArgumentException for a layer with parameters whose updater cannot be set
     */
    static Layer freeze(Layer layer) {
        if (!(layer instanceof BaseLayer)) {
            throw new IllegalArgumentException("Layer \"" + layer.getLayerName() + "\" (" + layer.getClass()
                    .getSimpleName() + ") has parameters but is not a BaseLayer, so it cannot be frozen; mark it "
                    + "trainable with trainable(\"" + layer.getLayerName() + "\")");
        }
        BaseLayer copy = (BaseLayer) layer.clone();
        copy.setIUpdater(new NoOp());
        copy.setBiasUpdater(new NoOp());
        copy.setRegularization(new ArrayList<>());
        copy.setRegularizationBias(new ArrayList<>());
        copy.setConstraints(null);
        copy.setWeightNoise(null);
        copy.setIDropout(null); // runs in inference mode; DL4J would still backprop a stale dropout mask
        return new FrozenBackpropLayer(copy);
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
