package io.github.nola4j.layers;

import io.github.nola4j.layers.basis.BasisCache;
import io.github.nola4j.layers.basis.BasisMixture;
import io.github.nola4j.layers.basis.BasisRole;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The NOLA factors of one weight, for any SameDiff graph: the parametrisation of {@link NolaLayer}
 * (whose javadoc derives it), in one place that the layers and the graph adapter
 * ({@code io.github.nola4j.zoo.graph}) both call.
 * <pre>
 *   A   = cA · Σ_{i&lt;k} α_i A_i        [fanIn, r]    α [1, k], bases A_i from (seed, {@link BasisRole#A})
 *   s·B = s · cB · Σ_{j&lt;l} β_j B_j    [r, nOut]     β [1, l], bases B_j from (seed, {@link BasisRole#B})
 *   cA, cB = {@link NolaLayer#coefficientScaleA(int, int, long)}, {@link NolaLayer#coefficientScaleB(int, int)}
 *   α at step 0 = {@link NolaLayer#initialAlpha} · {@link NolaLayer#initialAlphaBound(int, long)},  β at step 0 = 0
 * </pre>
 * With quantisation-aware training ({@code quantizationBits} &gt; 0) α and β pass through
 * {@link CoefficientQuantization#straightThrough} before they mix the bases.
 *
 * @param basisSeed        seed of the bases and of α's start (a layer's {@link NolaLayer#effectiveBasisSeed()})
 * @param rank             r
 * @param numBasesA        k
 * @param numBasesB        l
 * @param fanIn            rows of A: nIn (dense) or nIn·kH·kW (convolution)
 * @param nOut             columns of B
 * @param scale            s
 * @param quantizationBits bits of quantisation-aware training, 0 for none
 * @param parametrisation  {@link NolaLayer#PARAMETRISATION} for new adapters
 */
public record NolaFactors(long basisSeed, int rank, int numBasesA, int numBasesB, long fanIn, long nOut,
                          double scale, int quantizationBits, int parametrisation) {

    /** @return the factors of a new adapter (parametrisation {@link NolaLayer#PARAMETRISATION}) */
    public static NolaFactors of(long basisSeed, int rank, int numBasesA, int numBasesB, long fanIn, long nOut,
                                 double scale, int quantizationBits) {
        return new NolaFactors(basisSeed, rank, numBasesA, numBasesB, fanIn, nOut, scale, quantizationBits,
                NolaLayer.PARAMETRISATION);
    }

    /**
     * Defines A [fanIn, r] and s·B [r, nOut] in {@code sd}; the bases become constants named
     * {@code basesName + "A"} and {@code basesName + "B"}.
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
        alpha = alpha.mul(coefficientScaleA());
        beta = beta.mul(scale * coefficientScaleB());
        return new SDVariable[] {
                BasisMixture.defineA(sd.constant(basesName + "A", basesA(dataType)), alpha, numBasesA, fanIn, rank),
                BasisMixture.defineB(sd.constant(basesName + "B", basesB(dataType)), beta, numBasesB, nOut, rank)};
    }

    /** @return α at step 0, [1, k] */
    public INDArray initialAlpha(DataType dataType) {
        return NolaLayer.initialAlpha(numBasesA, basisSeed, dataType)
                .muli(NolaLayer.initialAlphaBound(parametrisation, fanIn));
    }

    /** @return cA */
    public double coefficientScaleA() {
        return NolaLayer.coefficientScaleA(parametrisation, numBasesA, fanIn);
    }

    /** @return cB */
    public double coefficientScaleB() {
        return NolaLayer.coefficientScaleB(parametrisation, numBasesB);
    }

    /** @return the bases of A, [fanIn·r, k] ({@link BasisCache}) */
    public INDArray basesA(DataType dataType) {
        return BasisCache.bases(basisSeed, BasisRole.A, rank, numBasesA, fanIn, dataType);
    }

    /** @return the bases of B, [nOut·r, l] ({@link BasisCache}) */
    public INDArray basesB(DataType dataType) {
        return BasisCache.bases(basisSeed, BasisRole.B, rank, numBasesB, nOut, dataType);
    }
}
