package io.github.nola4j.samples.cnn;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.NolaLayer;

/**
 * Settings of the low-rank adapters (NOLA and LoRA).
 *
 * @param rank             r of ΔW = s·A·B
 * @param numBases         NOLA: k = l, bases mixed into A and into B (ignored by LoRA)
 * @param scale            s, the scale of the update (1/r by default)
 * @param seed             NOLA: seed of the frozen random bases; LoRA: seed of A's initial values
 * @param quantizationBits NOLA: bits of quantisation-aware training of α and β, 0 for none
 */
public record AdapterSettings(int rank, int numBases, double scale, long seed, int quantizationBits) {

    /** Reference rank. */
    public static final int DEFAULT_RANK = 4;
    /** Reference k = l. */
    public static final int DEFAULT_BASES = 64;

    /** @return rank r, k = l = numBases, s = 1/r, no quantisation-aware training */
    public static AdapterSettings of(int rank, int numBases, long seed) {
        return new AdapterSettings(rank, numBases, 1.0 / rank, seed, 0);
    }

    /**
     * @return the settings of a fine-tuning run with seed {@code runSeed}: NOLA bases from
     * {@link NolaLayer#DEFAULT_BASIS_SEED} + runSeed, LoRA's A from {@link LoraLayer#DEFAULT_INIT_SEED} + runSeed
     */
    public static AdapterSettings forRun(Method method, int rank, int numBases, long runSeed) {
        long seed = (method == Method.LORA ? LoraLayer.DEFAULT_INIT_SEED : NolaLayer.DEFAULT_BASIS_SEED) + runSeed;
        return of(rank, numBases, seed);
    }

    /** @return these settings with scale s */
    public AdapterSettings withScale(double s) {
        return new AdapterSettings(rank, numBases, s, seed, quantizationBits);
    }

    /** @return these settings with quantisation-aware training at {@code bits} (0: off) */
    public AdapterSettings withQuantizationBits(int bits) {
        return new AdapterSettings(rank, numBases, scale, seed, bits);
    }

    /** @return "1/r" when s = 1/r, else the value of s */
    public String scaleText() {
        return Math.abs(scale * rank - 1) < 1e-12 ? "1/" + rank : Double.toString(scale);
    }
}
