package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.DenseOperation;
import io.github.nola4j.layers.ops.LayerOperation;

/**
 * A fully connected layer with a frozen weight and a NOLA update, in DL4J's orientation:
 * <pre>
 *   y = act(x·W + b + s·(x·A)·B)
 *   x [mb, nIn], W [nIn, nOut] (frozen), b [1, nOut] (frozen), y [mb, nOut]
 *   A = cA·Σ α_i A_i  [nIn, r],   B = cB·Σ β_j B_j  [r, nOut]   (see {@link NolaLayer})
 * </pre>
 * W and b have the layout of DL4J's {@code DenseLayer}, so pretrained values copy straight across.
 * Only α [1, k] and β [1, l] train.
 *
 * <pre>
 *   new NolaDense.Builder().nIn(784).nOut(128).rank(4).numBasesA(64).numBasesB(64)
 *       .basisSeed(42).scale(0.25).activation(Activation.RELU).build();
 * </pre>
 */
public class NolaDense extends NolaLayer {

    protected NolaDense(Builder b) {
        super(b);
    }

    /** No-arg constructor for JSON. */
    protected NolaDense() {
    }

    @Override
    public LayerOperation shape() {
        return DenseOperation.INSTANCE;
    }

    /** Builder in DL4J style; every option is checked in {@link #build()}. */
    public static class Builder extends NolaLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public NolaDense build() {
            validate("NolaDense");
            return new NolaDense(this);
        }
    }
}
