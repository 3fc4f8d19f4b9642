package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.UpdaterSkippedConfig;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime of {@link FrozenInferenceLayer}: DL4J's {@link FrozenLayerWithBackprop} (inference-mode
 * forward, no parameter gradient, the input gradient passed down) that runs a ConvolutionLayer,
 * a BatchNormalization, a DenseLayer or a ReLU ActivationLayer on libnd4j ({@link FrozenComputation}:
 * {@link FrozenConvolution}, {@link FrozenBatchNorm}, {@link FrozenDense}, {@link FrozenActivation}) and any other
 * layer as DL4J's. For BatchNormalization that is also the
 * exact input gradient of its inference-mode forward pass:
 * <pre>
 *   y = γ ⊙ (x − μ) / sqrt(σ² + eps) + β         (per channel; μ, σ² the running statistics)
 *   dL/dx = dL/dy ⊙ γ / sqrt(σ² + eps)
 * </pre>
 * where DL4J's own backward pass applies the training-mode formula with batch-statistics terms.
 * No parameter receives a gradient.
 */
public class FrozenInferenceRuntime extends FrozenLayerWithBackprop {

    /** The wrapped layer on libnd4j, when it has a libnd4j computation. */
    private final LibndForward forward;

    public FrozenInferenceRuntime(Layer insideLayer) {
        super(insideLayer);
        this.forward = new LibndForward(insideLayer, true);
    }

    /** @return true when the wrapped layer runs on libnd4j ({@link FrozenComputation}), false when on DL4J's code */
    public boolean runsOnLibnd4j() {
        return forward.available();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward.activate(training, workspaceMgr, () -> super.activate(training, workspaceMgr));
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward.activate(input, training, workspaceMgr, () -> super.activate(input, training, workspaceMgr));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!forward.available()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        return new Pair<>(new DefaultGradient(), forward.computation().inputGradient(getInsideLayer().input(), epsilon,
                workspaceMgr));
    }

    /**
     * @return false when the layer runs on libnd4j: its backward pass above writes no parameter
     * gradient, so its slice of the gradient view stays zero and DL4J's per-step division of it by
     * the minibatch is skipped (see {@link FrozenForwardRuntime#updaterDivideByMinibatch}); else as
     * the wrapped layer answers, since DL4J's own backward pass may write that slice
     */
    @Override
    public boolean updaterDivideByMinibatch(String paramName) {
        return !forward.available() && super.updaterDivideByMinibatch(paramName);
    }

    /**
     * @return when the layer runs on libnd4j, the wrapped layer's configuration with every parameter skipped by
     * DL4J's updater ({@link UpdaterSkippedConfig}; its gradient slice stays zero); else the wrapped layer's
     */
    @Override
    public TrainingConfig getConfig() {
        return forward.available() ? new UpdaterSkippedConfig(super.getConfig(), key -> true) : super.getConfig();
    }
}
