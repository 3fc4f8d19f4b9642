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
 * 6-10x slower. A graph holds its own copy of the bases, scaled by c and laid out so that α·bases is the
 * factor in C order ({@link #graphBasesA}, {@link #graphBasesB}): two ops per factor (product, reshape) instead of
 * five (scale, reshape, product, reshape, permute). SameDiff's fit spends more time per op in its own
 * bookkeeping than in small products, so the op count is what a step costs.
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

    /**
     * @param bases the bases of A [fanIn·r, k]
     * @return the graph form of A's bases: c · basesᵀ [k, fanIn·r] (row i is c·A_i flattened in C order), so that a
     *         graph builds A from α [1, k] with one product and one reshape ({@link #defineA})
     */
    public static INDArray graphBasesA(INDArray bases, double c) {
        return bases.transpose().mul(c).dup('c');
    }

    /**
     * @param bases the bases of B [nOut·r, l]
     * @return the graph form of B's bases: c · [l, r·nOut], row j is c·B_j [r, nOut] flattened in C order
     *         ({@link #defineB})
     */
    public static INDArray graphBasesB(INDArray bases, double c, long nOut, int r) {
        long l = bases.columns();
        return bases.reshape('c', nOut, r, l).permute(2, 1, 0).mul(c).dup('c').reshape('c', l, (long) r * nOut);
    }

    /**
     * @param graphBases {@link #graphBasesA} as a constant
     * @return {@link #a} defined in a graph: reshape(α·graphBases, [fanIn, r]); the scale c is in the bases
     */
    public static SDVariable defineA(SDVariable graphBases, SDVariable alpha, long fanIn, int r) {
        return alpha.mmul(graphBases).reshape(fanIn, r);
    }

    /**
     * @param graphBases {@link #graphBasesB} as a constant
     * @return {@link #b} defined in a graph: reshape(β·graphBases, [r, nOut]); the scale c is in the bases
     */
    public static SDVariable defineB(SDVariable graphBases, SDVariable beta, long nOut, int r) {
        return beta.mmul(graphBases).reshape(r, nOut);
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
