package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.ops.OptionCheck;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The options of an {@link AttentionAdapter} ({@link NolaAttention.Builder}, {@link LoraAttention.Builder}): which
 * projections get an adapter and the options every chosen projection shares, as the NOLA and LoRA layers' builders
 * take them (k, l and quantisation-aware training are NOLA's; for LoRA the seed chooses A's start).
 *
 * @param <T> the builder type
 */
public abstract class AttentionAdapterOptions<T extends AttentionAdapterOptions<T>> extends SameDiffLayer.Builder<T> {

    Set<AttentionProjection> projections = AttentionProjection.DEFAULT;
    int rank = 4;
    int numBasesA = 64;
    int numBasesB = 64;
    long basisSeed = NolaLayer.DEFAULT_BASIS_SEED;
    Double scale;
    int quantizationBits;

    /** The projections to adapt (at least one); {@link AttentionProjection#parseAll} reads them from names. */
    public T projections(AttentionProjection... chosen) {
        OptionCheck.require(chosen != null && chosen.length > 0, owner(), "projections", "[]", "must name at least"
                + " one projection", "use e.g. projections(AttentionProjection.Q, AttentionProjection.V)");
        this.projections = EnumSet.copyOf(List.of(chosen));
        return self();
    }

    /** Rank r of every ΔW (&gt; 0). Default 4. */
    public T rank(int r) {
        this.rank = r;
        return self();
    }

    /** Numbers k and l of bases of A and B per projection (&gt; 0). Default 64, 64. */
    public T numBases(int k, int l) {
        this.numBasesA = k;
        this.numBasesB = l;
        return self();
    }

    /** Seed of the frozen bases and of α's start. */
    public T basisSeed(long seed) {
        this.basisSeed = seed;
        return self();
    }

    /** Scale s of s·A·B (finite, non-zero). Default 1/r. */
    public T scale(double s) {
        this.scale = s;
        return self();
    }

    /** Quantisation-aware training of α and β at this many bits (2 to 8), 0 (the default) for none. */
    public T quantizationBits(int bits) {
        this.quantizationBits = bits;
        return self();
    }

    /** @return the layer the options are for, as errors name it */
    abstract String owner();

    /**
     * @param adapter the adapter class's name, for the message
     * @return a copy of {@code attention} to wrap
     * @throws IllegalArgumentException naming the layer and why it cannot be wrapped ({@link AdaptableAttention#whyNot})
     */
    static SameDiffLayer wrappable(org.deeplearning4j.nn.conf.layers.Layer attention, String adapter) {
        String reason = AdaptableAttention.whyNot(attention).orElse(null);
        if (reason != null) {
            throw new IllegalArgumentException(adapter + " cannot wrap layer \"" + (attention == null ? null
                    : attention.getLayerName()) + "\": " + reason + "; wrap a SelfAttentionLayer or"
                    + " RecurrentAttentionLayer built with projectInput(true)");
        }
        return (SameDiffLayer) attention.clone();
    }

    /** @throws IllegalArgumentException naming the option, its value, the constraint and the fix */
    void validate() {
        OptionCheck.require(rank > 0, owner(), "rank", rank, "must be > 0", "use a rank such as 4");
        OptionCheck.require(numBasesA > 0, owner(), "numBasesA", numBasesA, "must be > 0", "use e.g. 64 bases");
        OptionCheck.require(numBasesB > 0, owner(), "numBasesB", numBasesB, "must be > 0", "use e.g. 64 bases");
        OptionCheck.require(scale == null || Double.isFinite(scale) && scale != 0, owner(), "scale", scale,
                "must be finite and non-zero", "use e.g. 1.0 / rank");
        OptionCheck.require(quantizationBits == 0 || CoefficientQuantization.isSupported(quantizationBits), owner(),
                "quantizationBits", quantizationBits, "must be 0 (off) or in [" + CoefficientQuantization.MIN_BITS
                        + ", " + CoefficientQuantization.MAX_BITS + "]", "use e.g. 4");
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }
}
