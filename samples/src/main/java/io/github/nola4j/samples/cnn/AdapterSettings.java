package io.github.nola4j.samples.cnn;

/**
 * Settings of the NOLA adapters.
 *
 * @param rank      r of ΔW = s·A·B
 * @param numBases  k = l, bases mixed into A and into B
 * @param scale     s, the scale of the update (1/r by default)
 * @param basisSeed seed of the frozen random bases
 */
public record AdapterSettings(int rank, int numBases, double scale, long basisSeed) {

    /** Reference rank. */
    public static final int DEFAULT_RANK = 4;
    /** Reference k = l. */
    public static final int DEFAULT_BASES = 64;

    /** @return rank r, k = l = numBases, s = 1/r */
    public static AdapterSettings of(int rank, int numBases, long basisSeed) {
        return new AdapterSettings(rank, numBases, 1.0 / rank, basisSeed);
    }
}
