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
}
