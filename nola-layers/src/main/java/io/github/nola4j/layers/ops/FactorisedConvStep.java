package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link TrainingPath#FACTORISED} training step of a convolution, W [nOut, nIn, kH, kW],
 * A [nIn·kH·kW, r] (rows in (nIn, kH, kW) order), s·B [r, nOut]:
 * <pre>
 *   h  = conv_r(x, A)                      r-channel convolution with the layer's geometry, [mb, r, oH, oW]
 *   z  = conv(x, W) + b + conv1x1(h, s·B)
 *   dh, d(s·B) = conv2d_bp of the 1x1 convolution (h, s·B, δ)
 *   dx_A, dA   = conv2d_bp of the r-channel convolution (x, A, dh); without input gradient dA alone
 *                from im2col(x) ({@link Conv2dOps#kernelGradientRows}) where its padding fits
 *   dx         = conv2dᵀ(δ, W) + dx_A                      only when the input gradient is wanted
 *                (see {@link Conv2dOps#inputGradient})
 * </pre>
 * which is the gradient of conv(x, W + s·ΔW) with ΔW = reshape((A·B)ᵀ, W's shape), since a
 * convolution is linear in its kernel. No [nOut, nIn, kH, kW] gradient is ever formed.
 */
final class FactorisedConvStep implements TrainingStep {

    private final Conv2dOps ops;
    private final LowRankUpdate update;
    private final INDArray x;
    private final INDArray wKernel;
    private final INDArray aKernel;
    private final INDArray bKernel;
    private final boolean inputGradient;
    private final INDArray h;
    private final INDArray z;

    /**
     * @param w      W [nOut, nIn, kH, kW]
     * @param bias   [nOut] or null
     * @param update A [nIn·kH·kW, r] and s·B [r, nOut]
     */
    FactorisedConvStep(Conv2dOps ops, INDArray x, INDArray w, INDArray bias, LowRankUpdate update,
                       boolean inputGradient) {
        this.ops = ops;
        this.x = x;
        this.update = update;
        this.inputGradient = inputGradient;
        this.wKernel = w.permute(2, 3, 1, 0);
        this.aKernel = update.aKernel();
        this.bKernel = update.bKernel();
        this.h = ops.forward(x, aKernel, null);
        this.z = ops.forward(x, wKernel, bias).addi(ops.pointwise().forward(h, bKernel, null));
    }

    @Override
    public INDArray preOutput() {
        return z;
    }

    @Override
    public INDArray[] backprop(INDArray delta) {
        INDArray[] pointwise = ops.pointwise().backprop(h, bKernel, null, delta); // dh, d(s·B) as [1, 1, r, nOut]
        INDArray dB = pointwise[1].reshape(bKernel.size(2), bKernel.size(3));
        if (!inputGradient && ops.kernelGradientFromColumns(x.shape(), h.shape())) {
            return new INDArray[] {null, ops.kernelGradientRows(x, pointwise[0]), dB}; // dA from im2col, no dx_A
        }
        INDArray[] reduced = ops.backprop(x, aKernel, null, pointwise[0]);            // dx_A, dA as [kH, kW, nIn, r]
        INDArray dA = update.aFromKernel(reduced[1]);
        INDArray dx = inputGradient ? ops.inputGradient(x, wKernel, delta).addi(reduced[0]) : null;
        return new INDArray[] {dx, dA, dB};
    }
}
