package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link TrainingPath#MERGED} training step of a convolution: z = conv(x, K) + b with the kernel
 * K = W + s·ΔW in YXIO layout; backward is conv2d_bp, which gives dx and dL/dK together, then with
 * dΔ = dL/dK as [fanIn, nOut]: dA = dΔ·(s·B)ᵀ and d(s·B) = Aᵀ·dΔ.
 */
final class MergedConvStep implements TrainingStep {

    private final Conv2dOps ops;
    private final INDArray x;
    private final INDArray kernel;
    private final INDArray bias;
    private final LowRankUpdate update;
    private final INDArray a;
    private final INDArray b;
    private final boolean inputGradient;
    private final INDArray z;

    /**
     * @param kernel W + s·ΔW as [kH, kW, nIn, nOut]
     * @param bias   [nOut] or null
     * @param update A [fanIn, r] and s·B [r, nOut]
     */
    MergedConvStep(Conv2dOps ops, INDArray x, INDArray kernel, INDArray bias, LowRankUpdate update,
                   boolean inputGradient) {
        this.ops = ops;
        this.x = x;
        this.kernel = kernel;
        this.bias = bias;
        this.update = update;
        this.a = update.a();
        this.b = update.b();
        this.inputGradient = inputGradient;
        this.z = ops.forward(x, kernel, bias);
    }

    @Override
    public INDArray preOutput() {
        return z;
    }

    @Override
    public INDArray[] backprop(INDArray delta) {
        INDArray[] grads = ops.backprop(x, kernel, bias, delta);
        INDArray dDeltaT = update.deltaTransposedFromKernel(grads[1]); // dΔᵀ [nOut, fanIn]
        // BLAS transpose flags on contiguous arrays: ND4J copies strided (transposed-view) operands first
        INDArray dA = Nd4j.gemm(dDeltaT, b, Nd4j.createUninitialized(a.dataType(), a.shape(), 'f'), true, true,
                1.0, 0.0);
        INDArray dB = Nd4j.gemm(a, dDeltaT, Nd4j.createUninitialized(b.dataType(), b.shape(), 'f'), true, true,
                1.0, 0.0);
        return new INDArray[] {inputGradient ? grads[0] : null, dA, dB};
    }
}
