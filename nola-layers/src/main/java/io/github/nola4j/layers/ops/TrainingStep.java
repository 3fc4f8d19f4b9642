package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training forward pass of a low-rank layer, holding what its backward pass needs.
 * Made by {@link LayerOperation#trainingStep}; W and b get no gradient.
 */
public interface TrainingStep {

    /** @return z, the pre-activation output (the same value {@link LayerOperation#preOutput} gives) */
    INDArray preOutput();

    /**
     * @param delta dL/dz, shaped as {@link #preOutput()}
     * @return {dL/dx, or null when the step was made without an input gradient; dL/dA [fanIn, r];
     *         dL/d(s·B) [r, nOut]}
     */
    INDArray[] backprop(INDArray delta);

    /**
     * The backward pass with the factor gradients written into the caller's arrays (a basis family's gradient
     * rows). This default copies {@link #backprop}'s; a step whose products can write there directly overrides it.
     *
     * @param delta        dL/dz, shaped as {@link #preOutput()}
     * @param dA           receives dL/dA [fanIn, r]
     * @param dBTransposed receives dL/d(s·B)ᵀ [nOut, r]
     * @return dL/dx, or null when the step was made without an input gradient
     */
    default INDArray backpropInto(INDArray delta, INDArray dA, INDArray dBTransposed) {
        INDArray[] grads = backprop(delta);
        dA.assign(grads[1]);
        dBTransposed.assign(grads[2].transpose());
        return grads[0];
    }
}
