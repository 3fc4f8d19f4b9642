package io.github.nola4j.layers.basis;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A NOLA factor as a mixture of frozen bases, in ND4J, in a SameDiff graph and back (its gradient):
 * <pre>
 *   A   = c · Σ_i α_i A_i  [fanIn, r]    bases [fanIn·r, k], column i is A_i flattened in C order
 *   s·B = c · Σ_j β_j B_j  [r, nOut]     bases [nOut·r, l], column j is B_jᵀ [nOut, r] flattened in C order
 *   dα  = c · vec(dA) · bases,   dβ = c · vec(dBᵀ) · bases   (c includes s for B)
 * </pre>
 * Every product is one BLAS call on the contiguous bases with a transpose flag: mmul on a transposed
 * view made ND4J copy the bases on every call (4 MB for a 512x512 layer at r = 8, k = 256) and ran
 * 6-10x slower.
 */
public final class BasisMixture {

    private BasisMixture() {
    }

    /** @return A [fanIn, r] from α [1, k] */
    public static INDArray a(INDArray alpha, INDArray bases, double c, long fanIn, int r) {
        return mixture(alpha, bases, c).reshape(fanIn, r);
    }

    /** @return B [r, nOut] (C order) from β [1, l] */
    public static INDArray b(INDArray beta, INDArray bases, double c, long nOut, int r) {
        return mixture(beta, bases, c).reshape(nOut, r).transpose().dup('c');
    }

    /** @return {@link #a} defined in a graph; {@code alpha} is already scaled by c */
    public static SDVariable defineA(SDVariable bases, SDVariable alpha, int k, long fanIn, int r) {
        return bases.mmul(alpha.reshape(k, 1)).reshape(fanIn, r);
    }

    /** @return {@link #b} defined in a graph; {@code beta} is already scaled by c */
    public static SDVariable defineB(SDVariable bases, SDVariable beta, int l, long nOut, int r) {
        return bases.mmul(beta.reshape(l, 1)).reshape(nOut, r).permute(1, 0);
    }

    /** Writes dα [1, k] = c·vec(dA)·bases into {@code out}, dA [fanIn, r]. */
    public static void gradientA(INDArray dA, INDArray bases, double c, INDArray out) {
        projection(dA.dup('c').reshape(1, dA.length()), bases, c, out);
    }

    /** Writes dβ [1, l] = c·vec(dBᵀ)·bases into {@code out}, dB [r, nOut]. */
    public static void gradientB(INDArray dB, INDArray bases, double c, INDArray out) {
        projection(dB.transpose().dup('c').reshape(1, dB.length()), bases, c, out);
    }

    /** @return c · coefficients [1, k] · basesᵀ, [1, n] */
    private static INDArray mixture(INDArray coefficients, INDArray bases, double c) {
        INDArray out = Nd4j.createUninitialized(bases.dataType(), 1, bases.rows());
        return Nd4j.gemm(coefficients.dup(), bases, out, false, true, c, 0.0);
    }

    /** Writes c · v [1, n] · bases [n, k] into {@code out} [1, k]. */
    private static void projection(INDArray v, INDArray bases, double c, INDArray out) {
        INDArray result = Nd4j.createUninitialized(bases.dataType(), 1, bases.columns());
        out.assign(Nd4j.gemm(v, bases, result, false, false, c, 0.0));
    }
}
