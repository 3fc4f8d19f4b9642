package io.github.nola4j.layers;

import io.github.nola4j.layers.quantization.CoefficientQuantization;

/**
 * The options a NOLA layer's builder takes beside the low-rank ones ({@link LowRankOptions}): the
 * numbers of bases k and l, the basis seed, quantisation-aware training; and their checks.
 * {@link NolaLayer.Builder} extends it, and it extends {@link LowRankLayer.Builder}.
 *
 * @param <T> the builder type, returned for chaining
 */
@SuppressWarnings("unchecked")
public abstract class NolaOptions<T extends NolaOptions<T>> extends LowRankLayer.Builder<T> {
    protected int numBasesA = 64;
    protected int numBasesB = 64;
    protected long basisSeed = NolaLayer.DEFAULT_BASIS_SEED;
    protected int quantizationBits;
    protected boolean basisSeedPerLayer;

    /** Number k of random bases mixed into A (trainable α values). Default 64. */
    public T numBasesA(int k) {
        this.numBasesA = k;
        return (T) this;
    }

    /** Number l of random bases mixed into B (trainable β values). Default 64. */
    public T numBasesB(int l) {
        this.numBasesB = l;
        return (T) this;
    }

    /** Seed of the frozen random bases; layers with one seed share them. */
    public T basisSeed(long seed) {
        this.basisSeed = seed;
        return (T) this;
    }

    /**
     * Derive this layer's basis seed from {@link #basisSeed} and the layer name, as the official
     * code draws a seed per layer: layers then share no bases. Default false: one shared family
     * per basis seed, which costs less memory. The derived seed is recorded in adapter files.
     */
    public T basisSeedPerLayer(boolean perLayer) {
        this.basisSeedPerLayer = perLayer;
        return (T) this;
    }

    /**
     * Quantisation-aware training: the forward pass uses α and β quantised to {@code bits}
     * (2 to 8, symmetric, one max-abs scale per vector) and gradients pass straight through,
     * so the adapter keeps its accuracy when saved at that width. 0 (default) turns it off.
     */
    public T quantizationBits(int bits) {
        this.quantizationBits = bits;
        return (T) this;
    }

    @Override
    protected void validate(String kind) {
        super.validate(kind);
        String name = describe(kind);
        require(numBasesA > 0, name, "numBasesA", numBasesA, "must be > 0", "use e.g. .numBasesA(64)");
        require(numBasesB > 0, name, "numBasesB", numBasesB, "must be > 0", "use e.g. .numBasesB(64)");
        require(quantizationBits == 0 || CoefficientQuantization.isSupported(quantizationBits), name, "quantizationBits",
                quantizationBits, "must be 0 (off) or in [2, 8]", "use e.g. .quantizationBits(4)");
    }
}
