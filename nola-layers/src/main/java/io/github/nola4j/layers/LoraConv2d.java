package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.ConvOperation;

/**
 * A 2-D convolution with a frozen kernel and a LoRA update of the flattened kernel:
 * {@code y = act(conv(x, W + s·reshape((A·B)ᵀ, [nOut, nIn, kH, kW])) + b)},
 * A [nIn·kH·kW, r], B [r, nOut]; only A and B train (see {@link LoraLayer}, {@link ConvOperation}).
 */
public class LoraConv2d extends LoraLayer {

    private ConvOperation geometry;

    protected LoraConv2d(Builder b) {
        super(b);
        this.geometry = b.geometry.copy();
    }

    /** No-arg constructor for JSON. */
    protected LoraConv2d() {
    }

    @Override
    public ConvOperation shape() {
        return geometry;
    }

    /** Builder in DL4J style; every option is checked in {@link #build()}. */
    public static class Builder extends LoraLayer.Builder<Builder> implements ConvOptions<Builder> {
        private final ConvOperation geometry = new ConvOperation();

        @Override
        public ConvOperation geometry() {
            return geometry;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LoraConv2d build() {
            validate("LoraConv2d");
            geometry.validate(describe("LoraConv2d"));
            return new LoraConv2d(this);
        }
    }
}
