package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collection;

/**
 * Configuration of a frozen layer that still passes gradients to the layers before it, so that
 * adapters below it train.
 *
 * <p>DL4J's {@link FrozenLayerWithBackprop} already runs the wrapped layer in inference mode (so
 * dropout is off and BatchNormalization uses, and never updates, its running mean and variance)
 * and zeroes the wrapped layer's gradients. Its BatchNormalization backprop however applies the
 * training-mode formula (with batch-statistics terms) to an inference-mode forward pass; this
 * subclass instantiates {@link FrozenInferenceRuntime} ({@link FrozenOutputRuntime} for an output layer, so
 * that {@code evaluate} finds it), which returns the exact gradient
 * {@code dL/dx = dL/dy · γ / sqrt(runningVar + eps)} there. The wrapped configuration should have
 * a NoOp updater and no regularisation (see {@link LayerFreezing#freeze}), so its parameters stay
 * bit-identical in {@code fit()}.
 *
 * <p>Until this name, the class was {@code FrozenBackpropLayer}; networks saved with that name load
 * as the deprecated subclass {@link FrozenBackpropLayer}, and new networks are written with this one.
 */
public class FrozenInferenceLayer extends FrozenLayerWithBackprop {

    public FrozenInferenceLayer(@JsonProperty("layer") Layer layer) {
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
        org.deeplearning4j.nn.layers.FrozenLayerWithBackprop base =
                (org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) super.instantiate(conf, listeners, layerIndex,
                        paramsView, initializeParams, networkDataType);
        org.deeplearning4j.nn.api.Layer inside = base.getInsideLayer();
        return inside instanceof IOutputLayer ? new FrozenOutputRuntime(inside) : new FrozenInferenceRuntime(inside);
    }

    @Override
    public Layer clone() {
        return new FrozenInferenceLayer(getUnderlying().clone());
    }
}
