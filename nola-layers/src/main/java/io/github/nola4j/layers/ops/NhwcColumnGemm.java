package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * An undilated convolution on NHWC activations as one matrix product of its im2col columns with the kernel read in
 * place, for batches with so few output positions that libnd4j's conv2d spends its time reordering the kernel into
 * oneDNN's layout (which it does on every call; on one core 3x3 512→512 at 3x3, batch 8, took 8-9.5 ms there,
 * about 40 GFLOP/s, where 3x3 64→64 at 24x24 ran near 170). The columns are built in the order of the kernel's
 * memory, one strided copy per tap:
 * <pre>
 *   DL4J's weight, W [nOut, nIn, kH, kW] C-ordered (a frozen layer's; the merged training kernel):
 *     C[(n, y, x), (i, kh, kw)] = P[n, s·y + kh, s·x + kw, i]      z = C·Wmᵀ + b,  Wm = W as [nOut, nIn·kH·kW]
 *   a C-ordered YXIO kernel K [kH, kW, nIn, nOut] (a NOLA layer's inference form):
 *     C[(n, y, x), (kh, kw, i)] = P[n, s·y + kh, s·x + kw, i]      z = C·Km + b,   Km = K as [kH·kW·nIn, nOut]
 * </pre>
 * C [mb·oH·oW, nIn·kH·kW], z [mb·oH·oW, nOut] = [mb, oH, oW, nOut]; P the input with libnd4j's zero padding (Same:
 * ⌊total/2⌋ before, total = max(0, (oH − 1)·s + k − h); otherwise p both sides). {@link #applies} states where
 * it is used and why.
 */
final class NhwcColumnGemm {

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final PaddingMode mode;

    NhwcColumnGemm(int[] kernel, int[] stride, int[] padding, PaddingMode mode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.mode = mode;
    }

    /**
     * At least this many output channels per output position of the batch: the form is used when nOut ≥ 4·mb·oH·oW.
     * Measured on one core (thread CPU time, medians of 21 calls, load 7-9, direction only) on zoo ResNet50's shapes
     * at 96x96, batch 8, float: nOut / positions = 28 (6x6 → 3x3, 1x1 stride 2, 1024→2048): 3.2-3.5 ms against
     * libnd4j's 6.0-6.5; 7.1 (3x3 512→512 at 3x3): 4.3-6.5 against 5.8-6.6 (of which 3.3 the product, 1.5 the
     * columns); 7.1 (1x1 stride 2, 1024→512): 1.1-1.3 against 1.3; 3.6 (12x12 → 6x6, 1x1 stride 2, 512→1024):
     * 3.5-3.7 against 2.5-2.7, slower, so left to libnd4j.
     */
    static final int POSITIONS_PER_CHANNEL = 4;

    /**
     * @param positions the batch's output positions mb·oH·oW
     * @return true when, for this call, nOut ≥ {@link #POSITIONS_PER_CHANNEL}·positions (the kernel libnd4j would
     *         reorder is several times the columns built here) and the kernel's memory is one of the two layouts
     *         the product reads in place (see the class javadoc)
     */
    boolean applies(long positions, INDArray yxioKernel) {
        return POSITIONS_PER_CHANNEL * positions <= yxioKernel.size(3) && KernelMatrix.inPlace(yxioKernel) != null;
    }

    /** @return whether the geometry is this class's at all (NHWC, dilation 1, not a 1x1 stride-1 kernel) */
    static boolean geometryFits(int[] kernel, int[] stride, int[] dilation, boolean nhwc) {
        return nhwc && dilation[0] == 1 && dilation[1] == 1
                && !(kernel[0] == 1 && kernel[1] == 1 && stride[0] == 1 && stride[1] == 1);
    }

    /**
     * @param x          [mb, h, w, nIn]
     * @param yxioKernel [kH, kW, nIn, nOut], for which {@link #applies} holds
     * @param bias       [nOut] or null
     * @param oH         output height, as libnd4j computes it
     * @param oW         output width
     * @return z [mb, oH, oW, nOut]
     */
    INDArray forward(INDArray x, INDArray yxioKernel, INDArray bias, long oH, long oW) {
        KernelMatrix k = KernelMatrix.inPlace(yxioKernel);
        long mb = x.size(0);
        long nIn = x.size(3);
        long nOut = yxioKernel.size(3);
        int taps = kernel[0] * kernel[1];
        INDArray padded = padded(x, oH, oW);
        INDArray columns = Nd4j.createUninitialized(x.dataType(), new long[] {mb * oH * oW, nIn * taps}, 'c');
        INDArray byTap = k.transposed() ? columns.reshape('c', mb, oH, oW, nIn, taps)
                : columns.reshape('c', mb, oH, oW, taps, nIn);
        for (int a = 0; a < kernel[0]; a++) {
            for (int b = 0; b < kernel[1]; b++) {
                INDArray window = padded.get(NDArrayIndex.all(), strided(a, stride[0], oH), strided(b, stride[1], oW),
                        NDArrayIndex.all());
                INDArrayIndex tap = NDArrayIndex.point((long) a * kernel[1] + b);
                INDArrayIndex all = NDArrayIndex.all();
                (k.transposed() ? byTap.get(all, all, all, all, tap) : byTap.get(all, all, all, tap, all)).assign(window);
            }
        }
        INDArray z = Nd4j.createUninitialized(x.dataType(), new long[] {mb * oH * oW, nOut}, 'c');
        Nd4j.gemm(columns, k.matrix(), z, false, k.transposed(), 1.0, 0.0);
        if (bias != null) {
            z.addiRowVector(bias);
        }
        return z.reshape('c', mb, oH, oW, nOut);
    }

    /** @return x with libnd4j's zero padding before and as much after as the windows read; x itself without padding */
    private INDArray padded(INDArray x, long oH, long oW) {
        long h = x.size(1);
        long w = x.size(2);
        long top = before(h, oH, 0);
        long left = before(w, oW, 1);
        long hp = Math.max(h + top, (oH - 1) * stride[0] + kernel[0]);
        long wp = Math.max(w + left, (oW - 1) * stride[1] + kernel[1]);
        if (top == 0 && left == 0 && hp == h && wp == w) {
            return x;
        }
        INDArray p = Nd4j.zeros(x.dataType(), x.size(0), hp, wp, x.size(3));
        p.get(NDArrayIndex.all(), NDArrayIndex.interval(top, top + h), NDArrayIndex.interval(left, left + w),
                NDArrayIndex.all()).assign(x);
        return p;
    }

    /** @return the zero rows (axis 0) or columns (axis 1) before the input: Same ⌊total/2⌋, otherwise p */
    private long before(long in, long out, int axis) {
        if (mode == PaddingMode.SAME) {
            return Math.max(0, (out - 1) * stride[axis] + kernel[axis] - in) / 2;
        }
        return padding[axis];
    }

    /** @return positions first, first + s, ..., first + s·(n − 1) (a single one as its own interval, see Conv2dOps) */
    private static INDArrayIndex strided(long first, int s, long n) {
        return n == 1 ? NDArrayIndex.interval(first, first + 1)
                : NDArrayIndex.interval(first, s, first + s * (n - 1) + 1);
    }
}
