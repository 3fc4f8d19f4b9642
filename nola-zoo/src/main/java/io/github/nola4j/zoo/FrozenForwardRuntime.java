package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime of {@link FrozenForwardLayer}: DL4J's {@link FrozenLayer} (inference-mode forward; DL4J's
 * backward pass stops here, so no gradient of any kind is computed) that runs a ConvolutionLayer,
 * a BatchNormalization or a DenseLayer on libnd4j ({@link FrozenComputation}) and any other layer
 * as DL4J's.
 */
public class FrozenForwardRuntime extends FrozenLayer {

    /** The libnd4j computation of the wrapped layer, or null to run DL4J's. */
    private final FrozenComputation computation;

    public FrozenForwardRuntime(Layer insideLayer) {
        super(insideLayer);
        this.computation = FrozenComputation.of(insideLayer);
    }

    /** @return true when the wrapped layer runs on libnd4j ({@link FrozenComputation}), false when on DL4J's code */
    public boolean runsOnLibnd4j() {
        return computation != null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (computation == null) {
            return super.activate(training, workspaceMgr);
        }
        return computation.activate(getInsideLayer().input(), false, workspaceMgr);
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (computation == null) {
            return super.activate(input, training, workspaceMgr);
        }
        setInput(input, workspaceMgr);
        return computation.activate(input, false, workspaceMgr);
    }
}
