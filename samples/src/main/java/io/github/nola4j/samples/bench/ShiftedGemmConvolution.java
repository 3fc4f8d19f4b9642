package io.github.nola4j.samples.bench;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A kH x kW, stride 1, undilated convolution on NHWC activations as kH·kW accumulated matrix products over
 * shifted views of the zero-padded input (the "padded width" form), the whole batch in one product per tap: the
 * alternative to libnd4j's (oneDNN's) convolution that the {@code convshapes} scenario measures on ResNet50's 3x3
 * shapes. With the input padded to P [mb, Hp, Wp, nIn] (Hp = h + pTop + pBottom, Wp = w + pLeft + pRight) and
 * flattened to rows of nIn, Xp [mb·Hp·Wp + (kH − 1)·Wp + kW − 1, nIn] (spare zero rows at the end), the rows
 * starting at kh·Wp + kw are a contiguous matrix for each tap (kh, kw), and
 * <pre>
 *   Z [mb·Hp·Wp, nOut] = Σ_{kh, kw} Xp[kh·Wp + kw ..] · K[kh, kw]          K[kh, kw] [nIn, nOut]
 *   z [mb, oH, oW, nOut] = Z's rows (n, y, x) with y &lt; oH = Hp − kH + 1, x &lt; oW = Wp − kW + 1, plus b
 * </pre>
 * (a row (n, y, x) reads P[n, y + kh, x + kw]: its window; the rows with y ≥ oH or x ≥ oW are computed and
 * dropped, a share 1 − oH·oW/(Hp·Wp) of the work: 15% at 24x24 with a 3x3 kernel, 64% at 3x3). The input
 * gradient is the same correlation of δ padded by k − 1 − p on each side with the flipped, transposed kernel
 * (K[kH − 1 − a, kW − 1 − b]ᵀ, a BLAS transpose flag): dx[n, y, x] = Σ_{kh, kw} δ[n, y + pTop − kh, x + pLeft − kw]·K[kh, kw]ᵀ.
 * The kernel is read tap by tap as C-ordered [nIn, nOut] blocks: a kernel that is not one C-ordered
 * [kH, kW, nIn, nOut] block (the permuted DL4J weight [nOut, nIn, kH, kW]) is copied into one per call, as
 * libnd4j's conv2d reorders its kernel into oneDNN's blocked layout per call.
 *
 * <p>Not used by the layers: on one core (OMP_NUM_THREADS=1, load 5-7, direction only) it took 3-4x libnd4j's
 * conv2d and deconv2d on every 3x3 shape of ResNet50 at 96x96, batch 8 (24x24 64→64: forward 8.5 ms against
 * 2.0, input gradient 8.1 against 2.4; 3x3 512→512: 23 against 5.3 and 2.7). The nine products alone, without
 * padding or copies, took 4.6 ms at 24x24 64→64: a product with 64 inner terms runs BLAS well below oneDNN's
 * direct convolution, which reached about 170 GFLOP/s there.
 */
final class ShiftedGemmConvolution {

    private final int kH;
    private final int kW;
    /** Zero rows and columns added before and after the input: top, bottom, left, right. */
    private final int[] pad;

    /**
     * @param kernel  {kH, kW}, at most the padded input's size
     * @param padding libnd4j's explicit padding {pH, pW} (used in VALID mode, both sides), each below the kernel's
     *                size on its axis (so the input gradient's padding k − 1 − p is not negative)
     * @param mode    SAME pads k − 1 in all, ⌊(k − 1)/2⌋ before (libnd4j's Same with stride 1), VALID pads p both sides
     * @throws IllegalArgumentException when a padding is not below its kernel size
     */
    ShiftedGemmConvolution(int[] kernel, int[] padding, PaddingMode mode) {
        this.kH = kernel[0];
        this.kW = kernel[1];
        if (mode != PaddingMode.SAME && (padding[0] >= kH || padding[1] >= kW)) {
            throw new IllegalArgumentException("padding " + padding[0] + "x" + padding[1] + " must be below the kernel's "
                    + kH + "x" + kW + " on each axis for the shifted-product convolution; use libnd4j's conv2d for it");
        }
        if (mode == PaddingMode.SAME) {
            this.pad = new int[] {(kH - 1) / 2, kH - 1 - (kH - 1) / 2, (kW - 1) / 2, kW - 1 - (kW - 1) / 2};
        } else {
            this.pad = new int[] {padding[0], padding[0], padding[1], padding[1]};
        }
    }

    /**
     * @param x      [mb, h, w, nIn]
     * @param kernel [kH, kW, nIn, nOut]
     * @param bias   [nOut] or null
     * @return z [mb, oH, oW, nOut], oH = h + pTop + pBottom − kH + 1 (likewise oW)
     */
    INDArray forward(INDArray x, INDArray kernel, INDArray bias) {
        INDArray k = taps(kernel);
        INDArray z = correlate(x, k, pad[0], pad[1], pad[2], pad[3], false);
        if (bias != null) {
            z.reshape('c', z.length() / z.size(3), z.size(3)).addiRowVector(bias);
        }
        return z;
    }

    /**
     * @param kernel [kH, kW, nIn, nOut]
     * @param delta  dL/dz [mb, oH, oW, nOut]
     * @return dL/dx [mb, h, w, nIn]
     */
    INDArray inputGradient(INDArray kernel, INDArray delta) {
        INDArray k = taps(kernel);
        return correlate(delta, k, kH - 1 - pad[0], kH - 1 - pad[1], kW - 1 - pad[2], kW - 1 - pad[3], true);
    }

    /** @return the kernel as one C-ordered [kH, kW, nIn, nOut] block: itself when it is one, else a copy */
    private static INDArray taps(INDArray kernel) {
        boolean cContiguous = kernel.ordering() == 'c' && kernel.elementWiseStride() == 1
                && kernel.stride(3) == 1 && kernel.stride(2) == kernel.size(3);
        return cContiguous ? kernel : kernel.dup('c');
    }

    /**
     * The correlation of {@code in} [mb, h, w, c] padded (top, bottom, left, right) with the taps of {@code k}:
     * out[n, y, x] = Σ_{a, b} P[n, y + a, x + b]·T(a, b), T(a, b) = K[a, b] [c, nOut] or, {@code flipped},
     * K[kH − 1 − a, kW − 1 − b]ᵀ [c, nIn] for K [kH, kW, nIn, c].
     */
    private INDArray correlate(INDArray in, INDArray k, int top, int bottom, int left, int right, boolean flipped) {
        long mb = in.size(0);
        long h = in.size(1);
        long w = in.size(2);
        long c = in.size(3);
        long nOut = flipped ? k.size(2) : k.size(3);
        long hp = h + top + bottom;
        long wp = w + left + right;
        long oH = hp - kH + 1;
        long oW = wp - kW + 1;
        long rows = mb * hp * wp;
        long spare = (long) (kH - 1) * wp + kW - 1;
        INDArray padded = Nd4j.zeros(in.dataType(), rows + spare, c);
        padded.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()).reshape('c', mb, hp, wp, c)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(top, top + h), NDArrayIndex.interval(left, left + w),
                        NDArrayIndex.all())
                .assign(in);
        INDArray out = Nd4j.createUninitialized(in.dataType(), new long[] {rows, nOut}, 'c');
        for (int a = 0; a < kH; a++) {
            for (int b = 0; b < kW; b++) {
                long shift = a * wp + b;
                INDArray view = padded.get(NDArrayIndex.interval(shift, shift + rows), NDArrayIndex.all());
                INDArray tap = flipped ? k.get(NDArrayIndex.point(kH - 1 - a), NDArrayIndex.point(kW - 1 - b),
                        NDArrayIndex.all(), NDArrayIndex.all())
                        : k.get(NDArrayIndex.point(a), NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
                Nd4j.gemm(view, tap, out, false, flipped, 1.0, a == 0 && b == 0 ? 0.0 : 1.0);
            }
        }
        return out.reshape('c', mb, hp, wp, nOut)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(0, oH), NDArrayIndex.interval(0, oW), NDArrayIndex.all())
                .dup('c');
    }
}
