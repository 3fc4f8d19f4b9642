package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.conf.ConvolutionMode;

/**
 * A 2-D convolution with a frozen kernel and a NOLA update of the flattened kernel:
 * <pre>
 *   y = act(conv(x, W + s·ΔW) + b)
 *   x [mb, nIn, h, w] (NCHW) or [mb, h, w, nIn] (NHWC, {@code .dataFormat(CNN2DFormat.NHWC)}),
 *   W [nOut, nIn, kH, kW] (frozen, DL4J's ConvolutionLayer layout, in both), b [1, nOut] (frozen),
 *   y [mb, nOut, h', w'] or [mb, h', w', nOut]
 *   ΔW = reshape((A·B)ᵀ, [nOut, nIn, kH, kW]),  A [nIn·kH·kW, r],  B [r, nOut]
 * </pre>
 * with A and B mixtures of seeded bases as in {@link NolaLayer}. Stride, padding, dilation and
 * {@link ConvolutionMode} (Same, Truncate, Strict) behave as in DL4J's ConvolutionLayer
 * ({@link ConvOperation}).
 */
public class NolaConv2d extends NolaLayer {

    private ConvOperation geometry;

    protected NolaConv2d(Builder b) {
        super(b);
        this.geometry = b.geometry.copy();
    }

    /** No-arg constructor for JSON. */
    protected NolaConv2d() {
    }

    @Override
    public ConvOperation shape() {
        return geometry;
    }

    public int[] getKernelSize() {
        return geometry.getKernelSize();
    }

    public int[] getStride() {
        return geometry.getStride();
    }

    public int[] getPadding() {
        return geometry.getPadding();
    }

    public int[] getDilation() {
        return geometry.getDilation();
    }

    public ConvolutionMode getConvolutionMode() {
        return geometry.getConvolutionMode();
    }

    /** Builder in DL4J style; every option is checked in {@link #build()}. */
    public static class Builder extends NolaLayer.Builder<Builder> implements ConvOptions<Builder> {
        private final ConvOperation geometry = new ConvOperation();

        @Override
        public ConvOperation geometry() {
            return geometry;
        }

        @Override
        @SuppressWarnings("unchecked")
        public NolaConv2d build() {
            validate("NolaConv2d");
            geometry.validate(describe("NolaConv2d"));
            return new NolaConv2d(this);
        }
    }
}
