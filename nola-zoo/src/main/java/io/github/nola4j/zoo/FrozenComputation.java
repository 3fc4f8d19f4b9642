package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference-mode forward pass and input gradient of one frozen DL4J layer, computed with
 * libnd4j operations instead of the layer's own Java code (which in DL4J 1.0.0-M2.1 runs with its
 * oneDNN helpers off by default, and whose backward pass always computes the parameters'
 * gradients, then dropped by the frozen wrapper). The frozen runtimes ({@link FrozenInferenceRuntime},
 * {@link FrozenForwardRuntime}) use one where {@link #of} finds one and DL4J's layer otherwise.
 * No parameter receives a gradient; parameters are read, never written.
 */
interface FrozenComputation {

    /**
     * @param input         the layer's input (its data type may differ from the layer's: it is cast)
     * @param keepForBackprop true in a training forward pass whose backward pass will ask for
     *                      {@link #inputGradient}: what that needs is kept in DL4J's activations workspace
     * @return the layer's output in inference mode, in the ACTIVATIONS workspace
     */
    INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr);

    /**
     * @param input   the input of the forward pass this gradient belongs to
     * @param epsilon dL/dy, the output's shape
     * @return dL/dx, the input's shape, in the ACTIVATION_GRAD workspace
     */
    INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr);

    /**
     * @param inside the DL4J layer (runtime) that a frozen wrapper holds
     * @return its libnd4j computation: {@link FrozenConvolution} for a plain NCHW ConvolutionLayer,
     *         {@link FrozenBatchNorm} for a BatchNormalization on [mb, c] or 4-d activations,
     *         {@link FrozenDense} for a DenseLayer without layer normalisation, {@link FrozenActivation} for a ReLU
     *         or leaky ReLU ActivationLayer;
     *         null for any other layer, which then runs as DL4J's
     */
    static FrozenComputation of(Layer inside) {
        if (FrozenConvolution.supports(inside)) {
            return new FrozenConvolution(inside);
        }
        if (FrozenBatchNorm.supports(inside)) {
            return new FrozenBatchNorm(inside);
        }
        if (FrozenDense.supports(inside)) {
            return new FrozenDense(inside);
        }
        if (FrozenActivation.supports(inside)) {
            return new FrozenActivation(inside);
        }
        return null;
    }
}
