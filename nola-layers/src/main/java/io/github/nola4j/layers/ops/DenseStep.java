package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training step of a dense layer, x [mb, nIn], W [nIn, nOut], A [nIn, r], s·B [r, nOut]:
 * <pre>
 *   u = x·A                     [mb, r], kept for the backward pass
 *   z = x·W + b + u·(s·B)
 *   with δ = dL/dz:  δ_B = δ·(s·B)ᵀ [mb, r],  dA = xᵀ·δ_B,  d(s·B) = uᵀ·δ,
 *                    dx = δ·Wᵀ + δ_B·Aᵀ   only when the input gradient is wanted
 * </pre>
 * No dW [nIn, nOut] is formed. Every product is one BLAS call with transpose flags on contiguous
 * arrays: ND4J's mmul on transposed views took a path many times slower.
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
        this.u = Nd4j.gemm(this.x, a, false, false);
        INDArray out = Nd4j.gemm(this.x, w, false, false);
        if (bias != null) {
            out.addiRowVector(bias);
        }
        this.z = Nd4j.gemm(u, b, out, false, false, 1.0, 1.0); // z += u·(s·B) inside the GEMM: no temporary
    }

    @Override
    public INDArray preOutput() {
        return z;
    }

    @Override
    public INDArray[] backprop(INDArray delta) {
        INDArray dc = contiguous(delta);
        INDArray deltaB = Nd4j.gemm(dc, b, false, true);                 // [mb, r]
        INDArray dA = Nd4j.gemm(x, deltaB, true, false);                 // [nIn, r]
        INDArray dB = Nd4j.gemm(u, dc, true, false);                     // [r, nOut]
        INDArray dx = inputGradient
                ? Nd4j.gemm(deltaB, a, Nd4j.gemm(dc, w, false, true), false, true, 1.0, 1.0) : null;
        return new INDArray[] {dx, dA, dB};
    }

    /** @return {@code m} when it is a plain 'c' array, else a 'c' copy (the BLAS calls need plain strides) */
    static INDArray contiguous(INDArray m) {
        return m.ordering() == 'c' && !m.isView() && Shape.hasDefaultStridesForShape(m) ? m : m.dup('c');
    }
}
