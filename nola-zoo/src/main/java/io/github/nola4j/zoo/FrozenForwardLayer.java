package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collection;

/**
 * Configuration of a frozen layer below every trainable layer: DL4J's {@link FrozenLayer} (where
 * DL4J's backward pass stops), whose runtime {@link FrozenForwardRuntime} computes a
 * ConvolutionLayer, BatchNormalization, DenseLayer or ReLU ActivationLayer with libnd4j's operations instead of
 * DL4J's Java code.
 * Parameters keep their names and order; a network saved with it loads with it, and networks
 * saved with DL4J's FrozenLayer still load as they were.
 */
public class FrozenForwardLayer extends FrozenLayer {

    public FrozenForwardLayer(@JsonProperty("layer") Layer layer) {
        super(layer);
        if (layer != null && layer.getLayerName() != null) {
            setLayerName(layer.getLayerName());
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        org.deeplearning4j.nn.layers.FrozenLayer base = (org.deeplearning4j.nn.layers.FrozenLayer) super.instantiate(
                conf, listeners, layerIndex, paramsView, initializeParams, networkDataType);
        return new FrozenForwardRuntime(base.getInsideLayer());
    }

    @Override
    public Layer clone() {
        return new FrozenForwardLayer(getLayer().clone());
    }
}
