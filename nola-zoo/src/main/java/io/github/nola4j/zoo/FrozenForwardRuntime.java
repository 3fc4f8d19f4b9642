package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.UpdaterSkippedConfig;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime of {@link FrozenForwardLayer}: DL4J's {@link FrozenLayer} (inference-mode forward; DL4J's
 * backward pass stops here, so no gradient of any kind is computed) that runs a ConvolutionLayer,
 * a BatchNormalization, a DenseLayer or a ReLU ActivationLayer on libnd4j ({@link FrozenComputation}) and any other layer
 * as DL4J's.
 */
public class FrozenForwardRuntime extends FrozenLayer {

    /** The wrapped layer on libnd4j, when it has a libnd4j computation. */
    private final LibndForward forward;

    public FrozenForwardRuntime(Layer insideLayer) {
        super(insideLayer);
        this.forward = new LibndForward(insideLayer, false);
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

    /**
     * @return false: DL4J's backward pass never reaches this layer, so its slice of the network's
     * gradient view stays zero, and dividing it by the minibatch (DL4J's updater does so each step
     * for every parameter whose layer answers true; DL4J's wrapper asks the wrapped layer) changes
     * nothing but costs a pass over all frozen parameters: about 23.5M floats per step in ResNet50
     */
    @Override
    public boolean updaterDivideByMinibatch(String paramName) {
        return false;
    }

    /** @return the wrapped layer's configuration with every parameter skipped by DL4J's updater ({@link UpdaterSkippedConfig}) */
    @Override
    public TrainingConfig getConfig() {
        return new UpdaterSkippedConfig(super.getConfig(), key -> true);
    }
}
