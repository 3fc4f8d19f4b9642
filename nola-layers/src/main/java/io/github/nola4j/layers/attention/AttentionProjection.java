package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.ops.LowRankUpdate;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One projection of DL4J's attention layers ({@code SelfAttentionLayer}, {@code LearnedSelfAttentionLayer},
 * {@code RecurrentAttentionLayer}), by the parameter key those layers give it, and where s·ΔW = A·(s·B)
 * [fanIn, nOut] goes in its layout. A and B are in the orientation of x·W, as for every NOLA weight:
 * <pre>
 *   Q, K, V   Wq, Wk, Wv [nHeads, headSize, nIn]   applied as W·x    fanIn = nIn, nOut = nHeads·headSize
 *                                                                    s·ΔW = reshape((A·(s·B))ᵀ, W's shape)
 *   O         Wo [nHeads·headSize, nOut]          applied as x·W    fanIn = nHeads·headSize
 *                                                                    s·ΔW = A·(s·B)
 * </pre>
 * The rearrangement is {@link LowRankUpdate}'s ({@link LowRankUpdate#defineKernelDelta},
 * {@link LowRankUpdate#defineDelta}, and for arrays its output-major or dense layout), not a formula of its own.
 */
public enum AttentionProjection {

    /** Query projection {@code Wq}. */
    Q("Wq"),
    /** Key projection {@code Wk}. */
    K("Wk"),
    /** Value projection {@code Wv}. */
    V("Wv"),
    /** Output projection {@code Wo}. */
    O("Wo");

    /** The paper's choice for ViT: the query and value projections. */
    public static final Set<AttentionProjection> DEFAULT = Set.copyOf(EnumSet.of(Q, V));

    private final String weightKey;

    AttentionProjection(String weightKey) {
        this.weightKey = weightKey;
    }

    /** @return the key of the frozen projection weight in DL4J's attention layers: Wq, Wk, Wv or Wo */
    public String weightKey() {
        return weightKey;
    }

    /**
     * @return the key of this projection's trainable α [1, k]: {@code alphaQ}, ... (no underscore: DL4J's
     *         updater splits gradient keys at the last one to find the layer)
     */
    public String alphaKey() {
        return "alpha" + name();
    }

    /** @return the key of this projection's trainable β [1, l]: {@code betaQ}, ... */
    public String betaKey() {
        return "beta" + name();
    }

    /** @return fanIn, the rows of A, for a weight of {@code shape} */
    public long fanIn(long[] shape) {
        return this == O ? shape[0] : shape[2];
    }

    /** @return nOut, the columns of B, for a weight of {@code shape} */
    public long nOut(long[] shape) {
        return this == O ? shape[1] : shape[0] * shape[1];
    }

    /** @return the rank this projection's weight has in DL4J: 3 for Wq, Wk, Wv, 2 for Wo */
    public int weightRank() {
        return this == O ? 2 : 3;
    }

    /**
     * Defines s·ΔW in the weight's layout.
     *
     * @param a     A [fanIn, r]
     * @param b     s·B [r, nOut]
     * @param shape the weight's shape
     */
    public SDVariable delta(SDVariable a, SDVariable b, long[] shape) {
        return this == O ? LowRankUpdate.defineDelta(a, b) : LowRankUpdate.defineKernelDelta(a, b, shape);
    }

    /**
     * The array form of {@link #delta}: s·ΔW and W + s·ΔW in the weight's layout (merge in place).
     *
     * @param a     A [fanIn, r]
     * @param b     s·B [r, nOut]
     * @param shape the weight's shape
     */
    public LowRankUpdate update(INDArray a, INDArray b, long[] shape) {
        return new LowRankUpdate(this != O, shape, a, b);
    }

    /**
     * @param name q, k, v, o or the weight keys Wq, Wk, Wv, Wo (any case)
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static AttentionProjection parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (AttentionProjection p : values()) {
            if (n.equals(p.name().toLowerCase(Locale.ROOT)) || n.equals(p.weightKey.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("Unknown attention projection \"" + name + "\": use q, k, v or o (or the"
                + " weight keys " + Arrays.stream(values()).map(AttentionProjection::weightKey)
                .collect(Collectors.joining(", ")) + "), e.g. attentionProjections(\"q\", \"v\") as the paper's ViT runs");
    }

    /** @return the projections named, in enum order; an empty list is an error */
    public static Set<AttentionProjection> parseAll(String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("No attention projection given: name at least one of q, k, v, o, e.g."
                    + " attentionProjections(\"q\", \"v\")");
        }
        EnumSet<AttentionProjection> set = EnumSet.noneOf(AttentionProjection.class);
        for (String n : names) {
            set.add(parse(n));
        }
        return set;
    }
}
