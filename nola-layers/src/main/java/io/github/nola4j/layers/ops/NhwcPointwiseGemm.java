package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 1x1, stride 1, unpadded convolution on NHWC activations as plain matrix products, with no reorder: x
 * [mb, h, w, nIn] is the matrix X [mb·h·w, nIn] and the kernel [1, 1, nIn, nOut] the matrix K [nIn, nOut],
 * both views where their memory allows (a kernel that is a permuted DL4J weight [nOut, nIn, 1, 1] is read as
 * Kᵀ with BLAS's transpose flag):
 * <pre>
 *   z  = X·K + b                 [mb·h·w, nOut] = [mb, h, w, nOut]
 *   dx = δ·Kᵀ                    [mb·h·w, nIn]
 *   dK = Xᵀ·δ                    [nIn, nOut] = [1, 1, nIn, nOut] (also A's rows [nIn, r] for {@link Conv2dOps#kernelGradientRows})
 * </pre>
 * libnd4j's conv2d reorders the kernel (and its output) into oneDNN's blocked layout on every call, and its
 * deconv2d and conv2d_bp more so. Measured against them on ResNet50's 1x1 shapes at 96x96, batch 8, float
 * (2 shared cores at load 6-12, direction only): forward 7-32 ms against 30-53, input gradient 11-36 against
 * 22-133, conv2d_bp's two gradients 27-75 against 51-273. {@link #applies} holds for this case only: a strided
 * 1x1 kernel first needs its input gathered on the strided grid, and a larger kernel its im2col columns, which
 * ND4J's strided copies made slower than libnd4j's own convolution (3x3: 5-10x; 7x7 stem: 20x; strided 1x1:
 * slower on one of two shapes), so those stay on libnd4j. Arrays are made in the active workspace.
 */
final class NhwcPointwiseGemm {

    private NhwcPointwiseGemm() {
    }

    /**
     * @return true for NHWC activations, a 1x1 kernel, stride 1 and no padding (or Same mode, which pads a 1x1
     *         kernel nothing): the one case convolved here rather than by libnd4j (see the class javadoc)
     */
    static boolean applies(int[] kernel, int[] stride, int[] padding, PaddingMode mode, boolean nhwc) {
        return nhwc && kernel[0] == 1 && kernel[1] == 1 && stride[0] == 1 && stride[1] == 1
                && (mode == PaddingMode.SAME || (padding[0] == 0 && padding[1] == 0));
    }

    /**
     * @param x      [mb, h, w, nIn]
     * @param kernel [1, 1, nIn, nOut]
     * @param bias   [nOut] or null
     * @return z [mb, h, w, nOut]
     */
    static INDArray forward(INDArray x, INDArray kernel, INDArray bias) {
        long nOut = kernel.size(3);
        KernelMatrix k = KernelMatrix.of(kernel);
        INDArray z = Nd4j.createUninitialized(x.dataType(), positions(x), nOut);
        Nd4j.gemm(rows(x), k.matrix(), z, false, k.transposed(), 1.0, 0.0);
        if (bias != null) {
            z.addiRowVector(bias);
        }
        return z.reshape('c', x.size(0), x.size(1), x.size(2), nOut);
    }

    /**
     * @param inputShape x's shape [mb, h, w, nIn]
     * @param kernel     [1, 1, nIn, nOut]
     * @param delta      dL/dz [mb, h, w, nOut]
     * @return dL/dx [mb, h, w, nIn]
     */
    static INDArray inputGradient(long[] inputShape, INDArray kernel, INDArray delta) {
        KernelMatrix k = KernelMatrix.of(kernel);
        INDArray dx = Nd4j.createUninitialized(delta.dataType(), positions(delta), kernel.size(2));
        Nd4j.gemm(rows(delta), k.matrix(), dx, false, !k.transposed(), 1.0, 0.0);
        return dx.reshape('c', inputShape);
    }

    /**
     * @param x     [mb, h, w, nIn]
     * @param delta dL/dz [mb, h, w, r]
     * @return dL/dK as A's rows [nIn, r], F order (the transpose of a C-order [r, nIn] = δᵀ·X)
     */
    static INDArray kernelGradientRows(INDArray x, INDArray delta) {
        INDArray dKt = Nd4j.createUninitialized(x.dataType(), new long[] {delta.size(3), x.size(3)}, 'c');
        Nd4j.gemm(rows(delta), rows(x), dKt, true, false, 1.0, 0.0);
        return dKt.transpose();
    }

    /**
     * @param kernel [1, 1, nIn, nOut]
     * @param delta  dL/dz [mb, h, w, nOut]
     * @return {dL/dx [mb, h, w, nIn], dL/dkernel [1, 1, nIn, nOut]}, what conv2d_bp gives
     */
    static INDArray[] backprop(INDArray x, INDArray kernel, INDArray delta) {
        INDArray dK = Nd4j.createUninitialized(x.dataType(), new long[] {x.size(3), delta.size(3)}, 'c');
        Nd4j.gemm(rows(x), rows(delta), dK, true, false, 1.0, 0.0);
        return new INDArray[] {inputGradient(x.shape(), kernel, delta), dK.reshape('c', kernel.shape())};
    }

    private static long positions(INDArray a) {
        return a.size(0) * a.size(1) * a.size(2);
    }

    /** @return an NHWC activation as its C-order matrix [mb·h·w, c]: a view when it is C-contiguous, else a copy */
    private static INDArray rows(INDArray a) {
        return a.reshape('c', positions(a), a.size(3));
    }
}
