package io.github.nola4j.layers.adapter;

import java.util.Arrays;

/**
 * The adapter of one NOLA layer: its configuration (which must match the layer it is applied to)
 * and its trained coefficients. Arrays are not copied; {@code equals} compares them by identity,
 * as for every record.
 *
 * @param name       layer name (MultiLayerNetwork: "layer0", ... unless named; ComputationGraph: vertex name)
 * @param type       simple class name of the layer config, e.g. "NolaDense", "NolaConv2d"
 * @param weightShape shape of the frozen W in DL4J's layout (dense [nIn, nOut], conv [nOut, nIn, kH, kW])
 * @param hasBias    whether the layer has a frozen bias b [1, nOut]
 * @param rank       r
 * @param numBasesA  k
 * @param numBasesB  l
 * @param scale      s
 * @param basisSeed  seed the bases come from ({@code NolaLayer#effectiveBasisSeed})
 * @param alpha      k coefficients of the A bases, in {@code NolaLayer#PARAMETRISATION}
 * @param beta       l coefficients of the B bases, in {@code NolaLayer#PARAMETRISATION}
 */
public record LayerAdapter(String name, String type, long[] weightShape, boolean hasBias, int rank,
                           int numBasesA, int numBasesB, double scale, long basisSeed, float[] alpha,
                           float[] beta) {

    public LayerAdapter {
        if (name == null || type == null || weightShape == null || alpha == null || beta == null) {
            throw new IllegalArgumentException("layer adapter \"" + name + "\": name, type, weightShape, alpha and beta"
                    + " must not be null");
        }
        if (alpha.length != numBasesA || beta.length != numBasesB) {
            throw new IllegalArgumentException("layer adapter \"" + name + "\": alpha has " + alpha.length
                    + " values and beta " + beta.length + ", but k = " + numBasesA + " and l = " + numBasesB
                    + "; pass exactly k and l coefficients");
        }
    }

    /** @return a copy with other coefficients (same configuration) */
    public LayerAdapter withCoefficients(float[] newAlpha, float[] newBeta) {
        return new LayerAdapter(name, type, weightShape, hasBias, rank, numBasesA, numBasesB, scale, basisSeed,
                newAlpha, newBeta);
    }

    /** @return the layer's fan-in from its W shape: nIn (dense [nIn, nOut]) or nIn·kH·kW (conv [nOut, nIn, kH, kW]) */
    public long fanIn() {
        return fanIn(weightShape);
    }

    /** @return nIn for a rank-2 dense W [nIn, nOut], else the product of all but the first dimension */
    static long fanIn(long[] weightShape) {
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
