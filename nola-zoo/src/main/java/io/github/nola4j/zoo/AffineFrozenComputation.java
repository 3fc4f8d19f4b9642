package io.github.nola4j.zoo;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen layer of the form y = act(z), z an affine map of x with frozen parameters
 * ({@link FrozenConvolution}, {@link FrozenDense}):
 * <pre>
 *   z = {@link #preOutput}(x),   y = act(z)
 *   dL/dx = {@link #inputGradientOf}(x, act'(z) ⊙ dL/dy)        no parameter gradient
 * </pre>
 * The training forward keeps z in DL4J's activations workspace for the backward pass when the
 * activation is not the identity; otherwise the backward pass computes z again.
 */
abstract class AffineFrozenComputation implements FrozenComputation {

    private final IActivation activation;
    /** z of the last training forward pass and the input it was computed from. */
    private INDArray keptPreOutput;
    private INDArray keptInput;

    AffineFrozenComputation(IActivation activation) {
        this.activation = activation;
    }

    /** @return z for {@code input}, in the current workspace */
    abstract INDArray preOutput(INDArray input);

    /**
     * @param delta dL/dz, in the layer's data type
     * @return dL/dx in the layer's data type, in the current workspace
     */
    abstract INDArray inputGradientOf(INDArray input, INDArray delta);

    /** @return the data type the layer computes in */
    abstract DataType dataType();

    private boolean identity() {
        return activation instanceof ActivationIdentity;
    }

    @Override
    public final INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr) {
        INDArray z;
        if (keepForBackprop && !identity()) {
            try (MemoryWorkspace ignored = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
                keptPreOutput = preOutput(input);
            }
            keptInput = input;
            z = workspaceMgr.dup(ArrayType.ACTIVATIONS, keptPreOutput); // the activation works in place
        } else {
            z = preOutput(input);
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, activation.getActivation(z, false));
    }

    @Override
    public final INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray delta = epsilon;
        if (!identity()) {
            INDArray z = keptPreOutput != null && keptInput == input ? keptPreOutput : preOutput(input);
            delta = activation.backprop(z, epsilon).getFirst(); // overwrites z, which is not used again
        }
        keptPreOutput = null;
        keptInput = null;
        INDArray dx = inputGradientOf(input, delta.castTo(dataType()));
        return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx.castTo(input.dataType()));
    }
}
