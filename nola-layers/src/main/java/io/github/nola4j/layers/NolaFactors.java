package io.github.nola4j.layers;

import io.github.nola4j.layers.basis.BasisCache;
import io.github.nola4j.layers.basis.BasisGenerator;
import io.github.nola4j.layers.basis.BasisMixture;
import io.github.nola4j.layers.basis.BasisRole;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The NOLA factors of one weight, for any SameDiff graph: the parametrisation of the NOLA layers
 * ({@code NolaLayer}'s javadoc derives it), in one place that the layers and the graph adapter
 * ({@code io.github.nola4j.zoo.graph}) both call.
 * <pre>
 *   A   = cA · Σ_{i&lt;k} α_i A_i        [fanIn, r]    α [1, k], bases A_i from (seed, {@link BasisRole#A})
 *   s·B = s · cB · Σ_{j&lt;l} β_j B_j    [r, nOut]     β [1, l], bases B_j from (seed, {@link BasisRole#B})
 *   cA, cB = {@link #coefficientScaleA(int, int, long)}, {@link #coefficientScaleB(int, int)}
 *   α at step 0 = {@link #initialAlpha(int, long, DataType)} · {@link #initialAlphaBound(int, long)},  β at step 0 = 0
 * </pre>
 * With quantisation-aware training ({@code quantizationBits} &gt; 0) α and β pass through
 * {@link CoefficientQuantization#straightThrough} before they mix the bases.
 *
 * @param basisSeed        seed of the bases and of α's start (a layer's {@code effectiveBasisSeed()})
 * @param rank             r
 * @param numBasesA        k
 * @param numBasesB        l
 * @param fanIn            rows of A: nIn (dense) or nIn·kH·kW (convolution)
 * @param nOut             columns of B
 * @param scale            s
 * @param quantizationBits bits of quantisation-aware training, 0 for none
 * @param parametrisation  {@link #PARAMETRISATION} for new adapters
 */
public record NolaFactors(long basisSeed, int rank, int numBasesA, int numBasesB, long fanIn, long nOut,
                          double scale, int quantizationBits, int parametrisation) {

    /** The parametrisation new layers use ({@code NolaLayer}'s class javadoc). */
    public static final int PARAMETRISATION = 2;
    /** The parametrisation of releases before {@link #PARAMETRISATION} 2. */
    public static final int PARAMETRISATION_1 = 1;
    /** Parametrisations this build computes and reads, oldest first. */
    public static final java.util.List<Integer> KNOWN_PARAMETRISATIONS = java.util.List.of(1, 2);

    /** @return the factors of a new adapter (parametrisation {@link #PARAMETRISATION}) */
    public static NolaFactors of(long basisSeed, int rank, int numBasesA, int numBasesB, long fanIn, long nOut,
                                 double scale, int quantizationBits) {
        return new NolaFactors(basisSeed, rank, numBasesA, numBasesB, fanIn, nOut, scale, quantizationBits,
                PARAMETRISATION);
    }

    /**
     * Defines A [fanIn, r] and s·B [r, nOut] in {@code sd}; the bases, scaled by cA and s·cB and laid out for one
     * product each ({@link BasisMixture#graphBasesA}, {@link BasisMixture#graphBasesB}), become constants named
     * {@code basesName + "A"} [k, fanIn·r] and {@code basesName + "B"} [l, r·nOut].
     *
     * @param alpha α [1, k]
     * @param beta  β [1, l]
     * @return {A, s·B}
     */
    public SDVariable[] define(SameDiff sd, SDVariable alpha, SDVariable beta, DataType dataType, String basesName) {
        if (quantizationBits > 0) {
            alpha = CoefficientQuantization.straightThrough(sd, alpha, quantizationBits);
            beta = CoefficientQuantization.straightThrough(sd, beta, quantizationBits);
        }
        SDVariable a = sd.constant(basesName + "A", BasisMixture.graphBasesA(basesA(dataType), coefficientScaleA()));
        SDVariable b = sd.constant(basesName + "B", BasisMixture.graphBasesB(basesB(dataType),
                scale * coefficientScaleB(), nOut, rank));
        return new SDVariable[] {BasisMixture.defineA(a, alpha, fanIn, rank), BasisMixture.defineB(b, beta, nOut, rank)};
    }

    /** @return α at step 0, [1, k] */
    public INDArray initialAlpha(DataType dataType) {
        return initialAlpha(numBasesA, basisSeed, dataType)
                .muli(initialAlphaBound(parametrisation, fanIn));
    }

    /** @return cA */
    public double coefficientScaleA() {
        return coefficientScaleA(parametrisation, numBasesA, fanIn);
    }

    /** @return cB */
    public double coefficientScaleB() {
        return coefficientScaleB(parametrisation, numBasesB);
    }

    /** @return the bases of A, [fanIn·r, k] ({@link BasisCache}) */
    public INDArray basesA(DataType dataType) {
        return BasisCache.bases(basisSeed, BasisRole.A, rank, numBasesA, fanIn, dataType);
    }

    /** @return the bases of B, [nOut·r, l] ({@link BasisCache}) */
    public INDArray basesB(DataType dataType) {
        return BasisCache.bases(basisSeed, BasisRole.B, rank, numBasesB, nOut, dataType);
    }

    /**
     * The array form of {@link #define}.
     *
     * @param alpha α [1, k]
     * @param beta  β [1, l]
     * @return {A [fanIn, r], s·B [r, nOut]}, from α and β quantised first when {@code quantizationBits} &gt; 0
     */
    public INDArray[] factors(INDArray alpha, INDArray beta) {
        if (quantizationBits > 0) {
            alpha = CoefficientQuantization.quantize(alpha, quantizationBits);
            beta = CoefficientQuantization.quantize(beta, quantizationBits);
        }
        DataType dt = alpha.dataType();
        return new INDArray[] {BasisMixture.a(alpha, basesA(dt), coefficientScaleA(), fanIn, rank),
                BasisMixture.b(beta, basesB(dt), scale * coefficientScaleB(), nOut, rank)};
    }

    /**
     * dα = cA·vec(dA)·basesA, dβ = s·cB·vec(dBᵀ)·basesB ({@link BasisMixture}), straight through quantisation.
     *
     * @param dA     dL/dA [fanIn, r]
     * @param dB     dL/d(s·B) [r, nOut]
     * @param dAlpha written: [1, k]
     * @param dBeta  written: [1, l]
     */
    public void gradients(INDArray dA, INDArray dB, INDArray dAlpha, INDArray dBeta) {
        DataType dt = dA.dataType();
        BasisMixture.gradientA(dA, basesA(dt), coefficientScaleA(), dAlpha);
        BasisMixture.gradientB(dB, basesB(dt), scale * coefficientScaleB(), dBeta);
    }

    /**
     * @return [1, k] uniform in [-1, 1) from the portable generator, stream {@link BasisRole#ALPHA_INIT}
     * of the basis seed; α at step 0 is this times {@link #initialAlphaBound(int, long)}
     */
    public static INDArray initialAlpha(int k, long seed, DataType dataType) {
        long key = BasisGenerator.key(seed, BasisRole.ALPHA_INIT.stream(0));
        double[] alpha = new double[k];
        for (int i = 0; i < k; i++) {
            alpha[i] = 2.0 * BasisGenerator.uniform(key, i) - 1.0;
        }
        return Nd4j.createFromArray(alpha).reshape(1, k).castTo(dataType);
    }

    /** @return the bound of α at step 0 in parametrisation {@code p}: sqrt(3/fanIn) (2) or 1 (1) */
    public static double initialAlphaBound(int p, long fanIn) {
        return requireKnown(p) == PARAMETRISATION_1 ? 1.0 : Math.sqrt(3.0 / fanIn);
    }

    /**
     * Converts coefficients from parametrisation {@code from} to {@code to} with the same ΔW:
     * α_to = α_from · cA_from / cA_to, β_to = β_from · cB_from / cB_to.
     *
     * @param alpha [k] values, converted in place
     * @param beta  [l] values, converted in place
     * @param fanIn nIn·kH·kW of the layer
     */
    public static void convertCoefficients(float[] alpha, float[] beta, int from, int to, long fanIn) {
        double a = coefficientScaleA(from, alpha.length, fanIn) / coefficientScaleA(to, alpha.length, fanIn);
        double b = coefficientScaleB(from, beta.length) / coefficientScaleB(to, beta.length);
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] = (float) (alpha[i] * a);
        }
        for (int j = 0; j < beta.length; j++) {
            beta[j] = (float) (beta[j] * b);
        }
    }

    /** @return cA of parametrisation {@code p}: 1/sqrt(k·fanIn) (1) or 1/sqrt(3k) (2) */
    public static double coefficientScaleA(int p, int k, long fanIn) {
        return 1.0 / Math.sqrt(requireKnown(p) == PARAMETRISATION_1 ? (double) k * fanIn : 3.0 * k);
    }

    /** @return cB of parametrisation {@code p}: 1/sqrt(l) (1) or 1/sqrt(3l) (2) */
    public static double coefficientScaleB(int p, int l) {
        return 1.0 / Math.sqrt(requireKnown(p) == PARAMETRISATION_1 ? l : 3.0 * l);
    }

    private static int requireKnown(int p) {
        if (!KNOWN_PARAMETRISATIONS.contains(p)) {
            throw new IllegalArgumentException("NOLA parametrisation " + p + " is unknown: this build reads "
                    + "parametrisations " + KNOWN_PARAMETRISATIONS + "; use the nola4j release that wrote it");
        }
        return p;
    }

}
