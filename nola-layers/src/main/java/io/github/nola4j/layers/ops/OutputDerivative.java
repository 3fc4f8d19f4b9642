package io.github.nola4j.layers.ops;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The derivative of an activation y = act(z) written with its output y, for the activations where that is
 * cheaper than DL4J's backprop, which evaluates act again from z (libnd4j's {@code tanh_bp} and
 * {@code sigmoid_bp}; on the dense bench's [64, 512] pre-activation, {@code tanh_bp} took several times as
 * long as two multiplies):
 * <pre>
 *   tanh:     dy/dz = 1 − y²
 *   sigmoid:  dy/dz = y·(1 − y)
 * </pre>
 * A layer computes the factor in its training forward pass, right after y, and its backward pass takes
 * δ = ε·dy/dz: one multiply instead of act'(z). So the forward no longer needs a copy of z, and nothing
 * depends on y staying unchanged (the layer above may modify its input in place). Equal to DL4J's backprop
 * up to rounding: bit for bit for sigmoid, within 1 ulp-scale for tanh (libnd4j's tanh_bp rounds 1 − tanh²
 * differently); float 1e-6 and double 1e-12 relative ({@code OutputDerivativeTest}).
 */
public final class OutputDerivative {

    private OutputDerivative() {
    }

    /** @return whether {@link #of} gives the derivative of {@code activation} */
    public static boolean supports(Activation activation) {
        return activation == Activation.TANH || activation == Activation.SIGMOID;
    }

    /**
     * @param activation one that {@link #supports}
     * @param y          the activation's output, any shape; not changed
     * @return dy/dz from y, a new array of y's shape in the current workspace
     * @throws IllegalArgumentException for another activation
     */
    public static INDArray of(Activation activation, INDArray y) {
        return switch (activation) {
            case TANH -> y.mul(y).rsubi(1.0);
            case SIGMOID -> y.rsub(1.0).muli(y);
            default -> throw new IllegalArgumentException("Activation " + activation
                    + " has no derivative from its output here; use TANH or SIGMOID, or the activation's backprop");
        };
    }
}
