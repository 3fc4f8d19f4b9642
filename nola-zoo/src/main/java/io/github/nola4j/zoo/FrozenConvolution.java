package io.github.nola4j.zoo;

import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen DL4J {@link ConvolutionLayer} (NCHW or NHWC; Same, Truncate or Strict mode) on libnd4j's conv2d:
 * <pre>
 *   z = conv(x, W) + b,   y = act(z)                 x [mb, nIn, h, w], W [nOut, nIn, kH, kW], y [mb, nOut, oH, oW]
 *                                                    (NHWC: x [mb, h, w, nIn], y [mb, oH, oW, nOut], W the same)
 *   dL/dx = convᵀ(act'(z) ⊙ dL/dy, W)                no gradient for W or b
 * </pre>
 * with the layer's geometry ({@link ConvOperation#of}); the input gradient is the NOLA layer's
 * ({@link ConvOperation#inputGradient}: one transposed convolution where the geometry allows).
 */
final class FrozenConvolution extends AffineFrozenComputation {

    private final Layer layer;
    private final ConvOperation geometry;

    FrozenConvolution(Layer layer) {
        super(((ConvolutionLayer) layer.conf().getLayer()).getActivationFn());
        this.layer = layer;
        this.geometry = ConvOperation.of((ConvolutionLayer) layer.conf().getLayer());
    }

    /** @return true for DL4J's own ConvolutionLayer (not a subclass) on NCHW or NHWC input in Same, Truncate or Strict mode */
    static boolean supports(Layer inside) {
        if (inside.getClass() != org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class
                || inside.conf().getLayer().getClass() != ConvolutionLayer.class) {
            return false;
        }
        ConvolutionLayer conf = (ConvolutionLayer) inside.conf().getLayer();
        ConvolutionMode mode = conf.getConvolutionMode();
        CNN2DFormat format = conf.getCnn2dDataFormat();
        return (format == CNN2DFormat.NCHW || format == CNN2DFormat.NHWC) && (mode == ConvolutionMode.Same
                || mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict);
    }

    private INDArray weight() {
        return layer.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    }

    private INDArray bias() {
        return ((ConvolutionLayer) layer.conf().getLayer()).hasBias()
                ? layer.getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    }

    @Override
    INDArray preOutput(INDArray input) {
        return geometry.convolve(input.castTo(weight().dataType()), weight(), bias());
    }

    @Override
    INDArray inputGradientOf(INDArray input, INDArray delta) {
        return geometry.inputGradient(input, weight(), delta);
    }

    @Override
    DataType dataType() {
        return weight().dataType();
    }
}
