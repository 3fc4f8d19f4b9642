package io.github.nola4j.zoo;

import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen DL4J {@link ConvolutionLayer} (NCHW; Same, Truncate or Strict mode) on libnd4j's conv2d:
 * <pre>
 *   z = conv(x, W) + b,   y = act(z)                 x [mb, nIn, h, w], W [nOut, nIn, kH, kW], y [mb, nOut, oH, oW]
 *   dL/dx = convᵀ(act'(z) ⊙ dL/dy, W)                no gradient for W or b
 * </pre>
 * with the layer's geometry ({@link ConvOperation#of}); the input gradient is the NOLA layer's
 * ({@link ConvOperation#inputGradient}: one transposed convolution where the geometry allows).
 * The training forward keeps z for the backward pass when the activation is not the identity.
 */
final class FrozenConvolution implements FrozenComputation {

    private final Layer layer;
    private final ConvOperation geometry;
    private final IActivation activation;
    /** z of the last training forward pass and the input it was computed from. */
    private INDArray keptPreOutput;
    private INDArray keptInput;

    FrozenConvolution(Layer layer) {
        ConvolutionLayer conf = (ConvolutionLayer) layer.conf().getLayer();
        this.layer = layer;
        this.geometry = ConvOperation.of(conf);
        this.activation = conf.getActivationFn();
    }

    /** @return true for DL4J's own ConvolutionLayer (not a subclass) on NCHW input in Same, Truncate or Strict mode */
    static boolean supports(Layer inside) {
        if (inside.getClass() != org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class
                || inside.conf().getLayer().getClass() != ConvolutionLayer.class) {
            return false;
        }
        ConvolutionLayer conf = (ConvolutionLayer) inside.conf().getLayer();
        ConvolutionMode mode = conf.getConvolutionMode();
        return conf.getCnn2dDataFormat() == CNN2DFormat.NCHW && (mode == ConvolutionMode.Same
                || mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict);
    }

    private INDArray weight() {
        return layer.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    }

    private INDArray bias() {
        return ((ConvolutionLayer) layer.conf().getLayer()).hasBias()
                ? layer.getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    }

    private INDArray preOutput(INDArray input) {
        return geometry.convolve(input.castTo(weight().dataType()), weight(), bias());
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
            z = workspaceMgr.dup(ArrayType.ACTIVATIONS, keptPreOutput); // the activation works in place
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
            delta = activation.backprop(z, epsilon).getFirst(); // overwrites z, which is not used again
        }
        keptPreOutput = null;
        keptInput = null;
        INDArray dx = geometry.inputGradient(input, weight(), delta.castTo(weight().dataType()));
        return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx.castTo(input.dataType()));
    }
}
