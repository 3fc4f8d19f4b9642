package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen DL4J {@link ActivationLayer} with ReLU or leaky ReLU (ResNet50's, Darknet's and YOLO's), in one
 * pass over x:
 * <pre>
 *   y = max(x, 0)  or  y = x for x ≥ 0, αx below     x, y of any shape; the op DL4J's activation runs, into a new array
 *   dL/dx = act'(x) ⊙ dL/dy                            the activation's own backprop, as DL4J's layer computes it
 * </pre>
 * DL4J's ActivationLayer copies x and then applies the activation in place: two passes over the activations.
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
        IActivation a = ((ActivationLayer) inside.conf().getLayer()).getActivationFn();
        return a instanceof ActivationReLU r && r.getMax() == null && r.getThreshold() == null
                && r.getNegativeSlope() == null || a instanceof ActivationLReLU;
    }

    @Override
    public INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr) {
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(),
                input.ordering());
        ScalarOp op = activation instanceof ActivationLReLU l ? new LeakyReLU(input, y, l.getAlpha())
                : new RectifiedLinear(input, y);
        Nd4j.getExecutioner().exec(op);
        return y;
    }

    @Override
    public INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, input, input.ordering());
        INDArray dx = activation.backprop(x, epsilon).getFirst(); // in x's place, as DL4J's layer does
        return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx);
    }
}
