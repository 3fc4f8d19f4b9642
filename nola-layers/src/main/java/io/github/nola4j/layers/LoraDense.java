package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.DenseOperation;
import io.github.nola4j.layers.ops.LayerOperation;

/**
 * A fully connected layer with a frozen weight and a LoRA update:
 * {@code y = act(x·W + b + s·(x·A)·B)}, x [mb, nIn], W [nIn, nOut], A [nIn, r], B [r, nOut];
 * only A and B train (see {@link LoraLayer}). The baseline NOLA is compared with.
 */
public class LoraDense extends LoraLayer {

    protected LoraDense(Builder b) {
        super(b);
    }

    /** No-arg constructor for JSON. */
    protected LoraDense() {
    }

    @Override
    public LayerOperation shape() {
        return DenseOperation.INSTANCE;
    }

    /** Builder in DL4J style; every option is checked in {@link #build()}. */
    public static class Builder extends LoraLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public LoraDense build() {
            validate("LoraDense");
            return new LoraDense(this);
        }
    }
}
