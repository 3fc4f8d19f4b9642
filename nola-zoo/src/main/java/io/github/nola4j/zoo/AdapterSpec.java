package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaLayer;

/**
 * The NOLA hyper-parameters of one adapted layer: ΔW = s · A · B with A [fanIn, r] a mixture of
 * k seeded bases and B [r, nOut] a mixture of l seeded bases; k + l coefficients train.
 *
 * @param rank      r, the rank of ΔW (&gt; 0)
 * @param numBasesA k, the number of bases (and trainable α values) of A (&gt; 0)
 * @param numBasesB l, the number of bases (and trainable β values) of B (&gt; 0)
 * @param basisSeed seed of the frozen random bases; layers with one seed share them
 * @param scale     s, finite and non-zero (LoRA's alpha / r)
 */
public record AdapterSpec(int rank, int numBasesA, int numBasesB, long basisSeed, double scale) {

    /** Rank 4, k = l = 64, the default basis seed and s = 1/r, as {@link NolaLayer}'s builder. */
    public static final AdapterSpec DEFAULT = new AdapterSpec(4, 64, 64, NolaLayer.DEFAULT_BASIS_SEED, 1.0 / 4);

    /** @throws IllegalArgumentException naming the option, its value, the constraint and the fix */
    public AdapterSpec {
        require(rank > 0, "rank", rank, "must be > 0", "use a rank such as 4");
        require(numBasesA > 0, "numBasesA", numBasesA, "must be > 0", "use e.g. 64 bases");
        require(numBasesB > 0, "numBasesB", numBasesB, "must be > 0", "use e.g. 64 bases");
        require(Double.isFinite(scale) && scale != 0, "scale", scale, "must be finite and non-zero",
                "use e.g. 1.0 / rank");
    }

    /** @return this spec at rank r; a scale of 1/rank (the default) becomes 1/r, any other is kept */
    public AdapterSpec withRank(int r) {
        return new AdapterSpec(r, numBasesA, numBasesB, basisSeed, scale == 1.0 / rank ? 1.0 / r : scale);
    }

    public AdapterSpec withNumBases(int k, int l) {
        return new AdapterSpec(rank, k, l, basisSeed, scale);
    }

    public AdapterSpec withBasisSeed(long seed) {
        return new AdapterSpec(rank, numBasesA, numBasesB, seed, scale);
    }

    public AdapterSpec withScale(double s) {
        return new AdapterSpec(rank, numBasesA, numBasesB, basisSeed, s);
    }

    private static void require(boolean ok, String option, Object value, String constraint, String fix) {
        if (!ok) {
            throw new IllegalArgumentException("NOLA adapter option " + option + " = " + value + " " + constraint
                    + "; " + fix);
        }
    }
}
