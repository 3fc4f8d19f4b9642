package io.github.nola4j.layers.ops;

import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * libnd4j's 2-D convolution operations for one geometry, NCHW activations and kernels in the
 * YXIO layout [kH, kW, nIn, nOut]:
 * <ul>
 *   <li>{@link #forward}: conv2d, z [mb, nOut, oH, oW], into an output sized here from the geometry rather
 *       than through ND4J's {@code Conv2D} op, whose executioner first asks libnd4j's shape function for
 *       it: the same libnd4j kernel and result, about a sixth less time per call on ResNet50's and the
 *       conv scenario's shapes (loaded machine);</li>
 *   <li>{@link #backprop}: conv2d_bp, input gradient and kernel gradient together;</li>
 *   <li>{@link #inputGradient}: the input gradient alone. With stride 1 it is libnd4j's deconv2d
 *       (the transposed convolution) of δ with the same kernel, which runs on the same fast
 *       (oneDNN) kernel as the forward pass and, with stride 1, gives back exactly the input's
 *       height and width; for a strided 1x1 kernel it is a 1x1 convolution of δ with the transposed kernel placed
 *       on the strided grid; otherwise conv2d_bp, whose kernel gradient is dropped. libnd4j's conv2d_input_bp
 *       computes the same value but on a generic path: measured 13x slower than conv2d on the
 *       bench's conv shapes, 6x slower than the whole conv2d_bp.</li>
 * </ul>
 */
final class Conv2dOps {

    /** 1x1, stride 1, unpadded: the s·B part of the factorised convolution. */
    static final Conv2dOps POINTWISE = new Conv2dOps(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
            new int[] {1, 1}, PaddingMode.VALID);

    /** Most bytes of im2col columns made at once in {@link #kernelGradientRows}: a few MB, about a cache's worth. */
    static final long COLUMN_CHUNK_BYTES = 4L << 20;

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final PaddingMode mode;

    Conv2dOps(int[] kernel, int[] stride, int[] padding, int[] dilation, PaddingMode mode) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.mode = mode;
    }

    Conv2DConfig config() {
        return new Conv2DConfig(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], mode, Conv2DConfig.NCHW, WeightsFormat.YXIO);
    }

    private int[] intArgs() {
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], mode.index, 0, WeightsFormat.YXIO.ordinal()};
    }

    /**
     * @param x      [mb, nIn, h, w]
     * @param kernel [kH, kW, nIn, nOut]
     * @param bias   [nOut] or null
     * @return [mb, nOut, oH, oW]
     */
    INDArray forward(INDArray x, INDArray kernel, INDArray bias) {
        long oH = outputSize(x.size(2), 0);
        long oW = outputSize(x.size(3), 1);
        if (oH < 1 || oW < 1) {
            throw new IllegalArgumentException("convolution input of " + x.size(2) + "x" + x.size(3)
                    + " is smaller than the kernel's span " + span(0) + "x" + span(1) + " with padding " + padding[0]
                    + "x" + padding[1] + ": it leaves no output position; give a larger input, more padding or Same mode");
        }
        INDArray z = Nd4j.createUninitialized(x.dataType(), x.size(0), kernel.size(3), oH, oW);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d").addIntegerArguments(intArgs());
        if (bias == null) {
            op.addInputs(x, kernel);
        } else {
            op.addInputs(x, kernel, bias);
        }
        Nd4j.exec(op.addOutputs(z).build());
        return z;
    }

    /**
     * @param in the input's height (axis 0) or width (axis 1)
     * @return the output's size on that axis as libnd4j's conv2d computes it: Same ⌈in / s⌉, otherwise
     *         ⌊(in + 2·p − d·(k − 1) − 1) / s⌋ + 1, 0 when the input is smaller than the kernel
     */
    private long outputSize(long in, int axis) {
        if (mode == PaddingMode.SAME) {
            return (in + stride[axis] - 1) / stride[axis];
        }
        long room = in + 2L * padding[axis] - span(axis);
        return room < 0 ? 0 : room / stride[axis] + 1;
    }

    /** @return the input positions one kernel window covers on {@code axis}: d·(k − 1) + 1 */
    private long span(int axis) {
        return (long) dilation[axis] * (kernel[axis] - 1) + 1;
    }

    /**
     * @param bias  [nOut] or null (its gradient is computed and dropped)
     * @param delta dL/dz [mb, nOut, oH, oW]
     * @return {dL/dx [mb, nIn, h, w], dL/dkernel [kH, kW, nIn, nOut]}
     */
    INDArray[] backprop(INDArray x, INDArray kernel, INDArray bias, INDArray delta) {
        INDArray dx = Nd4j.createUninitialized(x.dataType(), x.shape());
        INDArray dKernel = Nd4j.createUninitialized(kernel.dataType(), kernel.shape());
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(intArgs());
        if (bias == null) {
            op.addInputs(x, kernel, delta).addOutputs(dx, dKernel);
        } else {
            op.addInputs(x, kernel, bias, delta)
                    .addOutputs(dx, dKernel, Nd4j.createUninitialized(bias.dataType(), bias.length()));
        }
        Nd4j.exec(op.build());
        return new INDArray[] {dx, dKernel};
    }

    /**
     * The kernel gradient alone, in the row order of a factor A [nIn·kH·kW, r] (rows (nIn, kH, kW)):
     * libnd4j has no filter-only conv2d_bp (conv2d_bp, its oneDNN version and conv2d_input_bp all
     * compute the input gradient too), so it is built from the input's columns:
     * <pre>
     *   cols = im2col(x)                      [mb, nIn, kH, kW, oH, oW], this geometry's padding
     *   dKᵀ  = Σ_b δ_b · cols_bᵀ              [r, nIn·kH·kW], cols_b as [nIn·kH·kW, oH·oW], δ_b [r, oH·oW]:
     *                                         one GEMM per example; dKᵀ in C order is dK in F order
     * </pre>
     * (OpenBLAS ran δ_b·cols_bᵀ, r rows, about 4x faster than cols_b·δ_bᵀ, r columns, on the conv
     * scenario's shapes: 5-6 against 20-90 ms for 32 examples.)
     * The columns are made a few examples at a time ({@link #COLUMN_CHUNK_BYTES} at most, at least one
     * example) into one buffer reused for every chunk, so each chunk's GEMMs read columns still in cache
     * instead of the whole batch's (75 MB on the bench's conv scenario) written out and read back from
     * memory; the GEMMs and their order are the same, so dK is the same. The buffer lives only during this
     * call. Only where {@link #kernelGradientFromColumns} holds.
     *
     * @param x     [mb, nIn, h, w]
     * @param delta dL/dz of the convolution, [mb, r, oH, oW]
     * @return dL/dK [nIn·kH·kW, r] (F order: the transpose of a C-order [r, nIn·kH·kW])
     */
    INDArray kernelGradientRows(INDArray x, INDArray delta) {
        return kernelGradientRows(x, delta, COLUMN_CHUNK_BYTES);
    }

    /** {@link #kernelGradientRows(INDArray, INDArray)} with at most {@code chunkBytes} of columns at once. */
    INDArray kernelGradientRows(INDArray x, INDArray delta, long chunkBytes) {
        long mb = x.size(0);
        long fanIn = x.size(1) * kernel[0] * kernel[1];
        long positions = delta.size(2) * delta.size(3);
        long r = delta.size(1);
        long chunk = Math.max(1, Math.min(mb, chunkBytes / (fanIn * positions * x.dataType().width())));
        INDArray cols = Nd4j.createUninitialized(x.dataType(), chunk, x.size(1), kernel[0], kernel[1], delta.size(2),
                delta.size(3));
        // Same mode as its explicit top and left padding (the bottom and right lie outside the input and read
        // as zeros): im2col's own Same flag placed the windows differently from conv2d
        int padTop = mode == PaddingMode.SAME ? samePaddingBefore(x.size(2), delta.size(2), 0) : padding[0];
        int padLeft = mode == PaddingMode.SAME ? samePaddingBefore(x.size(3), delta.size(3), 1) : padding[1];
        INDArray d = delta.dup('c');
        INDArray dKt = Nd4j.createUninitialized(x.dataType(), new long[] {r, fanIn}, 'c');
        for (long first = 0; first < mb; first += chunk) {
            long n = Math.min(chunk, mb - first);
            INDArray chunkCols = n == chunk ? cols : cols.get(NDArrayIndex.interval(0, n));
            Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(x.get(NDArrayIndex.interval(first, first + n)))
                    .addOutputs(chunkCols)
                    .addIntegerArguments(kernel[0], kernel[1], stride[0], stride[1], padTop, padLeft, dilation[0],
                            dilation[1], 0)
                    .addFloatingPointArguments(0.0).build());
            for (long b = first; b < first + n; b++) {
                INDArray colsB = cols.slice(b - first).reshape('c', fanIn, positions);
                INDArray deltaB = d.slice(b).reshape('c', r, positions);
                Nd4j.gemm(deltaB, colsB, dKt, false, true, 1.0, b == 0 ? 0.0 : 1.0);
            }
        }
        return dKt.transpose();
    }

    /**
     * @return true when {@link #kernelGradientRows} applies: im2col with this geometry's padding before
     *         the input (Same mode: {@link #samePaddingBefore}) yields exactly the output's positions,
     *         false for a Same layer padded more after the input than before it (im2col pads alike on both sides)
     */
    boolean kernelGradientFromColumns(long[] inputShape, long[] outputShape) {
        for (int axis = 0; axis < 2; axis++) {
            long in = inputShape[2 + axis];
            long out = outputShape[2 + axis];
            int pad = mode == PaddingMode.SAME ? samePaddingBefore(in, out, axis) : padding[axis];
            long span = (long) dilation[axis] * (kernel[axis] - 1) + 1;
            if ((in + 2L * pad - span) / stride[axis] + 1 != out) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the padding before the input on {@code axis} (0 height, 1 width) in Same mode: half of
     *         (out − 1)·stride + dilation·(k − 1) + 1 − in, rounded down, as TensorFlow and DL4J place it
     */
    private int samePaddingBefore(long in, long out, int axis) {
        long total = (out - 1) * stride[axis] + (long) dilation[axis] * (kernel[axis] - 1) + 1 - in;
        return (int) Math.max(0, total / 2);
    }

    /** @return true for a 1x1 kernel with a stride above 1 and no padding (or Same, which pads nothing there) */
    private boolean isStridedPointwise() {
        return kernel[0] == 1 && kernel[1] == 1 && (stride[0] > 1 || stride[1] > 1)
                && (mode == PaddingMode.SAME || (padding[0] == 0 && padding[1] == 0));
    }

    /**
     * @return true when {@link #inputGradient} is one convolution (a strided 1x1 kernel; or stride 1
     *         and, in Same mode, an even total padding dilation·(k − 1) in both directions), false
     *         when it is a conv2d_bp with a kernel gradient computed and dropped (about twice the work)
     */
    boolean inputGradientIsOneConvolution() {
        if (isStridedPointwise()) {
            return true;
        }
        if (stride[0] != 1 || stride[1] != 1) {
            return false;
        }
        for (int d = 0; d < 2; d++) {
            int span = dilation[d] * (kernel[d] - 1);
            if (mode == PaddingMode.SAME ? span % 2 != 0 : padding[d] > span) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return positions 0, s, ..., s·(n − 1) of one spatial axis. A single position is its own interval:
     *         ND4J widens {@code interval(0, s, 1)} to [0, s), which fails on an input smaller than the
     *         stride (a 1x1 map under a stride-2 1x1 kernel, as in zoo Xception at 16x16)
     */
    private static INDArrayIndex strided(int s, long n) {
        return n == 1 ? NDArrayIndex.interval(0, 1) : NDArrayIndex.interval(0, s, s * (n - 1) + 1);
    }

    /**
     * @param x      the convolution's input [mb, nIn, h, w] (only its shape is used on the fast path)
     * @param kernel [kH, kW, nIn, nOut]
     * @param delta  dL/dz [mb, nOut, oH, oW]
     * @return dL/dx [mb, nIn, h, w]
     */
    INDArray inputGradient(INDArray x, INDArray kernel, INDArray delta) {
        if (!inputGradientIsOneConvolution()) {
            return backprop(x, kernel, null, delta)[0];
        }
        if (isStridedPointwise()) {
            // z[o, y, x] = Σ_i W[o, i]·x[i, s·y, s·x]: dx is Wᵀ·δ on the strided grid, zero elsewhere
            INDArray onGrid = POINTWISE.forward(delta, kernel.permute(0, 1, 3, 2), null);
            INDArray dx = Nd4j.zeros(delta.dataType(), x.shape());
            dx.get(NDArrayIndex.all(), NDArrayIndex.all(), strided(stride[0], delta.size(2)),
                    strided(stride[1], delta.size(3))).assign(onGrid);
            return dx;
        }
        // the transposed convolution of δ with the same kernel and geometry: libnd4j's deconv2d, which runs on
        // the fast (oneDNN) kernel and reads K as it is; turning K instead took libnd4j's reverse op, which ran
        // 300 ms on a 512x512x3x3 kernel
        INDArray dx = Nd4j.createUninitialized(delta.dataType(), x.shape());
        Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(delta, kernel).addIntegerArguments(transposedArgs())
                .addOutputs(dx).build());
        return dx;
    }

    /**
     * @return the deconv2d arguments of the stride-1 transposed convolution: Same mode passed as
     *         VALID with its explicit padding dilation·(k − 1)/2 per side (even spans only, see
     *         {@link #inputGradientIsOneConvolution}), the same result: libnd4j's oneDNN deconv2d
     *         takes only VALID padding and sent Same to its generic path, measured 10x slower on the
     *         conv scenario's 64→64 3x3 at 32x32 (about 1,000 ms against 100 ms, batch 32)
     */
    private int[] transposedArgs() {
        int[] args = intArgs();
        if (mode == PaddingMode.SAME) {
            args[4] = dilation[0] * (kernel[0] - 1) / 2;
            args[5] = dilation[1] * (kernel[1] - 1) / 2;
            args[8] = PaddingMode.VALID.index;
        }
        return args;
    }
}
