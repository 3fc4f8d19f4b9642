package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * A frozen DL4J {@link ActivationLayer} with ReLU or leaky ReLU (ResNet50's, Darknet's and YOLO's):
 * <pre>
 *   y = max(x, 0)  or  y = x for x ≥ 0, αx below     x, y of any shape; the scalar op DL4J's activation runs
 *   dL/dx = act'(x) ⊙ dL/dy                            the activation's own backprop, as DL4J's layer computes it
 * </pre>
 * A frozen layer runs in inference mode, where DL4J's layer takes {@code leverageTo(ACTIVATIONS, x)} and applies
 * the activation to it in place: x itself when x is detached or already in the activations workspace (a
 * training pass, {@code feedForward}), so DL4J overwrites x with y there, and a copy of x otherwise
 * ({@code output}, whose layers write to workspaces of their own). This computation writes y over x in exactly the
 * first case, so every array a network returns or keeps is what DL4J's layer leaves (its {@code feedForward} map
 * holds y under the name of the layer feeding this one too), and in the second case runs the op once from x into a
 * new array instead of copying x first: one pass over the activations where DL4J's layer takes two.
 */
final class FrozenActivation implements FrozenComputation {

    private final IActivation activation;

    FrozenActivation(Layer layer) {
        this.activation = ((ActivationLayer) layer.conf().getLayer()).getActivationFn();
    }

    /** @return true for DL4J's own ActivationLayer with a plain ReLU (no max, threshold or slope) or a leaky ReLU */
    static boolean supports(Layer inside) {
        if (inside.getClass() != org.deeplearning4j.nn.layers.ActivationLayer.class
                || inside.conf().getLayer().getClass() != ActivationLayer.class) {
            return false;
        }
        return supports(((ActivationLayer) inside.conf().getLayer()).getActivationFn());
    }

    /** @return true for a plain ReLU (no max, threshold or slope) or a leaky ReLU */
    static boolean supports(IActivation a) {
        return a instanceof ActivationReLU r && r.getMax() == null && r.getThreshold() == null
                && r.getNegativeSlope() == null || a instanceof ActivationLReLU;
    }

    @Override
    public INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr) {
        INDArray y = leveragedInPlace(input, workspaceMgr) ? input : workspaceMgr.createUninitialized(
                ArrayType.ACTIVATIONS, input.dataType(), input.shape(), input.ordering());
        ScalarOp op = activation instanceof ActivationLReLU l ? new LeakyReLU(input, y, l.getAlpha())
                : new RectifiedLinear(input, y);
        Nd4j.getExecutioner().exec(op);
        return y;
    }

    /**
     * The activation's own backprop op (libnd4j's {@code relu_bp}, {@code lrelu_bp}, as {@code ActivationReLU} and
     * {@code ActivationLReLU} run it) from x and dL/dy straight into a new gradient array: one pass, where DL4J's
     * layer first copies x and then runs the op (ReLU into a third array, leaky ReLU over the copy).
     */
    @Override
    public INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!Arrays.equals(input.shape(), epsilon.shape())) {
            throw new IllegalStateException("dL/dy " + Arrays.toString(epsilon.shape()) + " does not match"
                    + " the activation's input " + Arrays.toString(input.shape()));
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(),
                input.ordering());
        CustomOp op = activation instanceof ActivationLReLU l ? new LeakyReLUBp(input, epsilon, dx, l.getAlpha())
                : new RectifiedLinearDerivative(input, epsilon, dx, 0.0);
        Nd4j.getExecutioner().exec(op);
        return dx;
    }

    /**
     * @return true where DL4J's {@code workspaceMgr.leverageTo(ACTIVATIONS, x)} returns x itself (ND4J's
     * {@code BaseNDArray.leverageTo}): x detached, or x in the activations workspace of this thread; false where it
     * copies x (x in another workspace, or the activations workspace scoped out). DL4J also returns x when x's
     * workspace is one of its helpers' (never a layer's input).
     */
    static boolean leveragedInPlace(INDArray x, LayerWorkspaceMgr workspaceMgr) {
        if (!x.isAttached()) {
            return true;
        }
        if (workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS)) {
            return false;
        }
        String id = workspaceMgr.getWorkspaceName(ArrayType.ACTIVATIONS);
        MemoryWorkspaceManager workspaces = Nd4j.getWorkspaceManager();
        return id != null && workspaces.checkIfWorkspaceExists(id)
                && x.data().getParentWorkspace() == workspaces.getWorkspaceForCurrentThread(id);
    }
}
