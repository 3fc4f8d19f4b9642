package io.github.nola4j.layers.adapter.format;

import java.util.Arrays;

/**
 * The adapter of one NOLA or LoRA layer: its configuration (which must match the layer it is
 * applied to) and its trained values. Arrays are not copied; {@code equals} compares them by
 * identity, as for every record. For a LoRA layer ({@link LayerAdapterKind#LORA}) "alpha" is A
 * [fanIn, r] and "beta" is B [r, nOut], both in C order, so k = fanIn·r and l = r·nOut.
 *
 * @param name       layer name (MultiLayerNetwork: "layer0", ... unless named; ComputationGraph: vertex name);
 *                   for a projection of an attention layer "layer/Wq", ... ({@link #ATTENTION_TYPES})
 * @param type       simple class name of the layer config, e.g. "NolaDense", "NolaConv2d", "LoraDense"
 * @param weightShape shape of the frozen W in DL4J's layout (dense [nIn, nOut], conv [nOut, nIn, kH, kW])
 * @param hasBias    whether the layer has a frozen bias b [1, nOut]
 * @param rank       r
 * @param numBasesA  k (LoRA: fanIn·r, the values of A)
 * @param numBasesB  l (LoRA: r·nOut, the values of B)
 * @param scale      s
 * @param basisSeed  seed the bases come from ({@code NolaLayer#effectiveBasisSeed}); LoRA: A's init seed
 * @param alpha      k coefficients of the A bases, in {@code NolaLayer#PARAMETRISATION} (LoRA: A)
 * @param beta       l coefficients of the B bases, in {@code NolaLayer#PARAMETRISATION} (LoRA: B)
 * @param kind       NOLA coefficients or LoRA factors
 */
public record LayerAdapter(String name, String type, long[] weightShape, boolean hasBias, int rank,
                           int numBasesA, int numBasesB, double scale, long basisSeed, float[] alpha,
                           float[] beta, LayerAdapterKind kind) {

    public LayerAdapter {
        if (name == null || type == null || weightShape == null || alpha == null || beta == null || kind == null) {
            throw new IllegalArgumentException("layer adapter \"" + name + "\": name, type, weightShape, alpha, beta"
                    + " and kind must not be null");
        }
        if (alpha.length != numBasesA || beta.length != numBasesB) {
            throw new IllegalArgumentException("layer adapter \"" + name + "\": alpha has " + alpha.length
                    + " values and beta " + beta.length + ", but k = " + numBasesA + " and l = " + numBasesB
                    + "; pass exactly k and l coefficients");
        }
    }

    /** The adapter of a NOLA layer ({@link LayerAdapterKind#NOLA}). */
    public LayerAdapter(String name, String type, long[] weightShape, boolean hasBias, int rank, int numBasesA,
                        int numBasesB, double scale, long basisSeed, float[] alpha, float[] beta) {
        this(name, type, weightShape, hasBias, rank, numBasesA, numBasesB, scale, basisSeed, alpha, beta,
                LayerAdapterKind.NOLA);
    }

    /** @return a copy with other coefficients (same configuration) */
    public LayerAdapter withCoefficients(float[] newAlpha, float[] newBeta) {
        return new LayerAdapter(name, type, weightShape, hasBias, rank, numBasesA, numBasesB, scale, basisSeed,
                newAlpha, newBeta, kind);
    }

    /**
     * Types of the entries of one projection of an attention layer (entry name "layer/Wq", ...): its W is Wq, Wk or
     * Wv [nHeads, headSize, nIn] (fanIn = nIn, nOut = nHeads·headSize) or Wo [nHeads·headSize, nOut].
     */
    public static final java.util.Set<String> ATTENTION_TYPES = java.util.Set.of("NolaAttention", "LoraAttention");

    /**
     * @return the layer's fan-in from its type and W shape: nIn (dense [nIn, nOut]), nIn·kH·kW (conv
     * [nOut, nIn, kH, kW]) or nIn (attention Wq, Wk, Wv [nHeads, headSize, nIn])
     */
    public long fanIn() {
        return fanIn(type, weightShape);
    }

    /** @return {@link #fanIn()} of an entry of this type and W shape */
    static long fanIn(String type, long[] weightShape) {
        return ATTENTION_TYPES.contains(type) && weightShape.length == 3 ? weightShape[2] : fanIn(weightShape);
    }

    /** @return the columns of B of an entry of this type and W shape (dense [nIn, nOut]: nOut; else all but fanIn) */
    static long nOut(String type, long[] weightShape) {
        if (weightShape.length == 2) {
            return weightShape[1];
        }
        return ATTENTION_TYPES.contains(type) && weightShape.length == 3 ? weightShape[0] * weightShape[1]
                : weightShape[0];
    }

    /** @return nIn for a rank-2 dense W [nIn, nOut], else the product of all but the first dimension */
    private static long fanIn(long[] weightShape) {
        if (weightShape.length == 2) {
            return weightShape[0];
        }
        long n = 1;
        for (int i = 1; i < weightShape.length; i++) {
            n *= weightShape[i];
        }
        return n;
    }

    /** @return a one-line description of the configuration, for error messages */
    public String describe() {
        return type + " \"" + name + "\" W" + Arrays.toString(weightShape) + " bias=" + hasBias + " r=" + rank
                + " k=" + numBasesA + " l=" + numBasesB + " s=" + scale + " seed=" + basisSeed;
    }
}
