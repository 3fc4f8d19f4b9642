package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen DL4J {@link DenseLayer} (without layer normalisation) with its input gradient only:
 * <pre>
 *   z = x·W + b,   y = act(z)               x [mb, nIn], W [nIn, nOut], y [mb, nOut]
 *   dL/dx = (act'(z) ⊙ dL/dy)·Wᵀ            no [nIn, nOut] gradient (DL4J's backward computes and drops it)
 * </pre>
 * The training forward keeps z for the backward pass when the activation is not the identity.
 */
final class FrozenDense implements FrozenComputation {

    private final Layer layer;
    private final IActivation activation;
    private INDArray keptPreOutput;
    private INDArray keptInput;

    FrozenDense(Layer layer) {
        this.layer = layer;
        this.activation = ((DenseLayer) layer.conf().getLayer()).getActivationFn();
    }

    /** @return true for DL4J's own DenseLayer without layer normalisation */
    static boolean supports(Layer inside) {
        return inside.getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class
                && inside.conf().getLayer().getClass() == DenseLayer.class
                && !((DenseLayer) inside.conf().getLayer()).hasLayerNorm();
    }

    private INDArray weight() {
        return layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
    }

    private INDArray preOutput(INDArray input) {
        INDArray w = weight();
        if (input.rank() != 2) {
            throw new IllegalArgumentException("Frozen DenseLayer \"" + layer.conf().getLayer().getLayerName()
                    + "\": input of shape " + java.util.Arrays.toString(input.shape()) + " is not [mb, nIn]; set the "
                    + "network's input type so that DL4J adds the preprocessor");
        }
        INDArray z = Nd4j.createUninitialized(w.dataType(), input.size(0), w.size(1));
        input.castTo(w.dataType()).mmuli(w, z);
        if (((DenseLayer) layer.conf().getLayer()).hasBias()) {
            z.addiRowVector(layer.getParam(DefaultParamInitializer.BIAS_KEY));
        }
        return z;
    }

    private boolean identity() {
        return activation instanceof ActivationIdentity;
    }

    @Override
    public INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr) {
        INDArray z;
        if (keepForBackprop && !identity()) {
            try (MemoryWorkspace ignored = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
                keptPreOutput = preOutput(input);
            }
            keptInput = input;
            z = workspaceMgr.dup(ArrayType.ACTIVATIONS, keptPreOutput);
        } else {
            z = preOutput(input);
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, activation.getActivation(z, false));
    }

    @Override
    public INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray delta = epsilon;
        if (!identity()) {
            INDArray z = keptPreOutput != null && keptInput == input ? keptPreOutput : preOutput(input);
            delta = activation.backprop(z, epsilon).getFirst();
        }
        keptPreOutput = null;
        keptInput = null;
        INDArray w = weight();
        INDArray dx = Nd4j.gemm(delta.castTo(w.dataType()), w, false, true); // δ·Wᵀ, a transpose flag, no copy of W
        return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx.castTo(input.dataType()));
    }
}
