package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training step of a dense layer, x [mb, nIn], W [nIn, nOut], A [nIn, r], s·B [r, nOut]:
 * <pre>
 *   u = x·A                     [mb, r], kept for the backward pass
 *   z = x·W + b + u·(s·B)       three products into one array: b is added by a rank-1 product and u·(s·B)
 *                               accumulated by the GEMM ({@link BlasProduct#addRows}, beta = 1), no element-wise op
 *   with δ = dL/dz:  δ_B = δ·(s·B)ᵀ [mb, r],  dA = xᵀ·δ_B,  d(s·B) = uᵀ·δ  (or its transpose δᵀ·u),
 *                    dx = δ·Wᵀ + δ_B·Aᵀ   only when the input gradient is wanted
 * </pre>
 * No dW [nIn, nOut] is formed. Every product is one BLAS call ({@link BlasProduct}) with transpose flags on
 * the arrays as they are (s·B may be a transposed view): ND4J's mmul on transposed views took a path many
 * times slower. {@link #backpropInto} writes dA and d(s·B)ᵀ straight into the caller's arrays (a basis
 * family's gradient rows), so no copy follows the products.
 */
final class DenseStep implements TrainingStep {

    private final INDArray x;
    private final INDArray w;
    private final INDArray a;
    private final INDArray b;
    private final boolean inputGradient;
    private final INDArray u;
    private final INDArray z;

    /** @param bias [1, nOut] or null */
    DenseStep(INDArray x, INDArray w, INDArray bias, INDArray a, INDArray b, boolean inputGradient) {
        this.x = contiguous(x);
        this.w = w;
        this.a = a;
        this.b = b;
        this.inputGradient = inputGradient;
        this.u = BlasProduct.of(this.x, a, false, false);
        this.z = preOutput(this.x, w, bias, u, b);
    }

    /**
     * @param x    [mb, nIn], plain C order ({@link #contiguous})
     * @param bias [1, nOut] or null
     * @param u    x·A [mb, r]
     * @return x·W + b + u·(s·B), a new C-ordered array in the current workspace: the dense layer's one
     *         pre-activation formula, for training and inference
     */
    static INDArray preOutput(INDArray x, INDArray w, INDArray bias, INDArray u, INDArray b) {
        INDArray z = BlasProduct.of(x, w, false, false);
        if (bias != null) {
            BlasProduct.addRows(bias, z, 1.0);
        }
        return BlasProduct.into(u, b, z, false, false, 1.0, 1.0); // z += u·(s·B) inside the GEMM: no temporary
    }

    @Override
    public INDArray preOutput() {
        return z;
    }

    @Override
    public INDArray[] backprop(INDArray delta) {
        INDArray dA = Nd4j.createUninitialized(a.dataType(), new long[] {a.size(0), a.size(1)}, 'c');
        INDArray dB = Nd4j.createUninitialized(b.dataType(), new long[] {b.size(0), b.size(1)}, 'c');
        INDArray dx = gradients(delta, dA, dB, false);
        return new INDArray[] {dx, dA, dB};
    }

    /** dA and d(s·B)ᵀ by their GEMMs straight into {@code dA} and {@code dBTransposed}: no copy. */
    @Override
    public INDArray backpropInto(INDArray delta, INDArray dA, INDArray dBTransposed) {
        return gradients(delta, dA, dBTransposed, true);
    }

    /**
     * @param dB d(s·B) [r, nOut], or its transpose [nOut, r] when {@code transposedB}
     * @return dx, or null without the input gradient
     */
    private INDArray gradients(INDArray delta, INDArray dA, INDArray dB, boolean transposedB) {
        INDArray dc = contiguous(delta);
        INDArray deltaB = BlasProduct.of(dc, b, false, true);                   // [mb, r]
        BlasProduct.into(x, deltaB, dA, true, false, 1.0, 0.0);                 // [nIn, r]
        if (transposedB) {
            BlasProduct.into(dc, u, dB, true, false, 1.0, 0.0);                 // δᵀ·u [nOut, r]
        } else {
            BlasProduct.into(u, dc, dB, true, false, 1.0, 0.0);                 // uᵀ·δ [r, nOut]
        }
        return inputGradient
                ? BlasProduct.into(deltaB, a, BlasProduct.of(dc, w, false, true), false, true, 1.0, 1.0) : null;
    }

    /** @return {@code m} when it is a plain 'c' array, else a 'c' copy (the BLAS calls need plain strides) */
    static INDArray contiguous(INDArray m) {
        return m.ordering() == 'c' && !m.isView() && Shape.hasDefaultStridesForShape(m) ? m : m.dup('c');
    }
}
