package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.attention.AttentionProjection;
import io.github.nola4j.layers.ops.OptionCheck;
import io.github.nola4j.layers.quantization.CoefficientQuantization;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The adapter hyper-parameters of one adapted layer: ΔW = s · A · B with A [fanIn, r] and
 * B [r, nOut]. For {@link AdapterKind#NOLA}, A mixes k seeded bases and B mixes l, and k + l
 * coefficients train; for {@link AdapterKind#LORA}, A and B train in full.
 *
 * @param kind             NOLA or LoRA
 * @param rank             r, the rank of ΔW (&gt; 0)
 * @param numBasesA        k, the number of bases (and trainable α values) of A (&gt; 0; NOLA only)
 * @param numBasesB        l, the number of bases (and trainable β values) of B (&gt; 0; NOLA only)
 * @param basisSeed        NOLA: seed of the frozen random bases (layers with one seed share them);
 *                         LoRA: seed of A's initial values
 * @param scale            s, finite and non-zero (LoRA's alpha / r)
 * @param quantizationBits NOLA: quantisation-aware training of α and β at this many bits (2 to 8),
 *                         0 for none; must be 0 for LoRA
 * @param attentionProjections the projections adapted in an attention layer ({@code NolaAttention}): q and v
 *                         by default, as the paper's ViT runs; ignored for dense and convolution layers
 */
public record AdapterSpec(AdapterKind kind, int rank, int numBasesA, int numBasesB, long basisSeed, double scale,
                          int quantizationBits, Set<AttentionProjection> attentionProjections) {

    /** NOLA, rank 4, k = l = 64, the default basis seed, s = 1/r and no QAT, as {@link NolaLayer}'s builder. */
    public static final AdapterSpec DEFAULT = new AdapterSpec(4, 64, 64, NolaLayer.DEFAULT_BASIS_SEED, 1.0 / 4);

    /** @throws IllegalArgumentException naming the option, its value, the constraint and the fix */
    public AdapterSpec {
        require(kind != null, "kind", kind, "must be set", "use AdapterKind.NOLA or AdapterKind.LORA");
        require(rank > 0, "rank", rank, "must be > 0", "use a rank such as 4");
        require(numBasesA > 0, "numBasesA", numBasesA, "must be > 0", "use e.g. 64 bases");
        require(numBasesB > 0, "numBasesB", numBasesB, "must be > 0", "use e.g. 64 bases");
        require(Double.isFinite(scale) && scale != 0, "scale", scale, "must be finite and non-zero",
                "use e.g. 1.0 / rank");
        require(quantizationBits == 0 || CoefficientQuantization.isSupported(quantizationBits), "quantizationBits", quantizationBits,
                "must be 0 (off) or in [" + CoefficientQuantization.MIN_BITS + ", " + CoefficientQuantization.MAX_BITS + "]",
                "use e.g. 4");
        require(quantizationBits == 0 || kind == AdapterKind.NOLA, "quantizationBits", quantizationBits,
                "applies to NOLA coefficients only, not to " + kind, "use 0 with AdapterKind.LORA");
        require(attentionProjections != null && !attentionProjections.isEmpty(), "attentionProjections",
                attentionProjections, "must name at least one projection", "use e.g. attentionProjections(\"q\", \"v\")");
        attentionProjections = Collections.unmodifiableSet(EnumSet.copyOf(attentionProjections));
    }

    /** A spec adapting the default attention projections (q and v). */
    public AdapterSpec(AdapterKind kind, int rank, int numBasesA, int numBasesB, long basisSeed, double scale,
                       int quantizationBits) {
        this(kind, rank, numBasesA, numBasesB, basisSeed, scale, quantizationBits, AttentionProjection.DEFAULT);
    }

    /** A NOLA spec without quantisation-aware training. */
    public AdapterSpec(int rank, int numBasesA, int numBasesB, long basisSeed, double scale) {
        this(AdapterKind.NOLA, rank, numBasesA, numBasesB, basisSeed, scale, 0);
    }

    /** @return a LoRA spec of rank r, scale s and A initialised from {@code initSeed} */
    public static AdapterSpec lora(int rank, double scale, long initSeed) {
        return DEFAULT.withKind(AdapterKind.LORA).withRank(rank).withScale(scale).withBasisSeed(initSeed);
    }

    public AdapterSpec withKind(AdapterKind k) {
        return new AdapterSpec(Objects.requireNonNull(k, "kind"), rank, numBasesA, numBasesB, basisSeed, scale,
                k == AdapterKind.NOLA ? quantizationBits : 0, attentionProjections);
    }

    /** @return this spec at rank r; a scale of 1/rank (the default) becomes 1/r, any other is kept */
    public AdapterSpec withRank(int r) {
        return new AdapterSpec(kind, r, numBasesA, numBasesB, basisSeed, scale == 1.0 / rank ? 1.0 / r : scale,
                quantizationBits, attentionProjections);
    }

    public AdapterSpec withNumBases(int k, int l) {
        return new AdapterSpec(kind, rank, k, l, basisSeed, scale, quantizationBits, attentionProjections);
    }

    public AdapterSpec withBasisSeed(long seed) {
        return new AdapterSpec(kind, rank, numBasesA, numBasesB, seed, scale, quantizationBits, attentionProjections);
    }

    public AdapterSpec withScale(double s) {
        return new AdapterSpec(kind, rank, numBasesA, numBasesB, basisSeed, s, quantizationBits, attentionProjections);
    }

    /** @return this spec with quantisation-aware training at {@code bits} (0: off; NOLA only) */
    public AdapterSpec withQuantizationBits(int bits) {
        return new AdapterSpec(kind, rank, numBasesA, numBasesB, basisSeed, scale, bits, attentionProjections);
    }

    /** @return this spec adapting {@code projections} of attention layers (at least one) */
    public AdapterSpec withAttentionProjections(Set<AttentionProjection> projections) {
        return new AdapterSpec(kind, rank, numBasesA, numBasesB, basisSeed, scale, quantizationBits, projections);
    }

    private static void require(boolean ok, String option, Object value, String constraint, String fix) {
        OptionCheck.require(ok, "Adapter options", option, value, constraint, fix);
    }
}
