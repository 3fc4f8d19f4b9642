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
 * libnd4j's 2-D convolution operations for one geometry and activation layout, NCHW [mb, c, h, w] or NHWC
 * [mb, h, w, c] (libnd4j's isNHWC argument; the shapes below are NCHW's, NHWC's hold the same axes in its
 * order), and kernels in the YXIO layout [kH, kW, nIn, nOut] in both. A 1x1, stride 1 convolution on NHWC
 * activations is plain matrix products instead ({@link NhwcPointwiseGemm}, where {@link NhwcPointwiseGemm#applies}
 * says why only there): the same results without libnd4j's kernel and output reorders; so is the forward pass of
 * any other undilated NHWC convolution whose batch has no more output positions than output channels
 * ({@link NhwcColumnGemm}: there libnd4j's per-call kernel reorder outweighs the im2col columns).
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

    /** {@link #POINTWISE} on NHWC activations. */
    static final Conv2dOps POINTWISE_NHWC = new Conv2dOps(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
            new int[] {1, 1}, PaddingMode.VALID, true);

    /** Most bytes of im2col columns made at once in {@link #kernelGradientRows}: a few MB, about a cache's worth. */
    static final long COLUMN_CHUNK_BYTES = 4L << 20;

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final PaddingMode mode;
    private final boolean nhwc;
    private final ColumnKernelGradient columns;
    private final boolean pointwiseGemm;
    /** The forward pass as one product of im2col columns with the weight in place on small NHWC maps, or null. */
    private final NhwcColumnGemm columnGemm;

    /** Operations on NCHW activations. */
    Conv2dOps(int[] kernel, int[] stride, int[] padding, int[] dilation, PaddingMode mode) {
        this(kernel, stride, padding, dilation, mode, false);
    }

    /** @param nhwc true for activations [mb, h, w, c], false for [mb, c, h, w] */
    Conv2dOps(int[] kernel, int[] stride, int[] padding, int[] dilation, PaddingMode mode, boolean nhwc) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.mode = mode;
        this.nhwc = nhwc;
        this.columns = new ColumnKernelGradient(this.kernel, this.stride, this.padding, this.dilation, mode);
        this.pointwiseGemm = NhwcPointwiseGemm.applies(this.kernel, this.stride, this.padding, mode, nhwc);
        this.columnGemm = NhwcColumnGemm.geometryFits(this.kernel, this.stride, this.dilation, nhwc)
                ? new NhwcColumnGemm(this.kernel, this.stride, this.padding, mode) : null;
    }

    /** @return the 1x1, stride 1, unpadded operations in this layout (the s·B part of the factorised convolution) */
    Conv2dOps pointwise() {
        return nhwc ? POINTWISE_NHWC : POINTWISE;
    }

    Conv2DConfig config() {
        return new Conv2DConfig(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], mode, nhwc ? Conv2DConfig.NHWC : Conv2DConfig.NCHW, WeightsFormat.YXIO);
    }

    private int[] intArgs() {
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], mode.index, nhwc ? 1 : 0, WeightsFormat.YXIO.ordinal()};
    }

    /** @return the axis of an activation's height (its width is the next one) */
    private int heightAxis() {
        return nhwc ? 1 : 2;
    }

    /** @return a new, uninitialised activation of mb examples, c channels and h x w positions, in this layout */
    private INDArray activation(long mb, long c, long h, long w, INDArray like) {
        return nhwc ? Nd4j.createUninitialized(like.dataType(), mb, h, w, c)
                : Nd4j.createUninitialized(like.dataType(), mb, c, h, w);
    }

    /**
     * @param x      [mb, nIn, h, w]
     * @param kernel [kH, kW, nIn, nOut]
     * @param bias   [nOut] or null
     * @return [mb, nOut, oH, oW]
     */
    INDArray forward(INDArray x, INDArray kernel, INDArray bias) {
        int hAxis = heightAxis();
        long oH = outputSize(x.size(hAxis), 0);
        long oW = outputSize(x.size(hAxis + 1), 1);
        if (oH < 1 || oW < 1) {
            throw new IllegalArgumentException("convolution input of " + x.size(hAxis) + "x" + x.size(hAxis + 1)
                    + " is smaller than the kernel's span " + span(0) + "x" + span(1) + " with padding " + padding[0]
                    + "x" + padding[1] + ": it leaves no output position; give a larger input, more padding or Same mode");
        }
        if (pointwiseGemm) {
            return NhwcPointwiseGemm.forward(x, kernel, bias);
        }
        if (columnGemm != null && columnGemm.applies(x.size(0) * oH * oW, kernel)) {
            return columnGemm.forward(x, kernel, bias, oH, oW);
        }
        INDArray z = activation(x.size(0), kernel.size(3), oH, oW, x);
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
        if (pointwiseGemm) {
            return NhwcPointwiseGemm.backprop(x, kernel, delta);
        }
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
     * The kernel gradient alone, in the row order of a factor A [nIn·kH·kW, r], from the input's columns
     * ({@link ColumnKernelGradient#rows}; NHWC activations are handed over as NCHW copies, since im2col takes
     * NCHW only).
     *
     * @param x     the convolution's input
     * @param delta dL/dz of the convolution (r channels)
     * @return dL/dK [nIn·kH·kW, r] (F order)
     */
    INDArray kernelGradientRows(INDArray x, INDArray delta) {
        return kernelGradientRows(x, delta, COLUMN_CHUNK_BYTES);
    }

    /** {@link #kernelGradientRows(INDArray, INDArray)} with at most {@code chunkBytes} of columns at once. */
    INDArray kernelGradientRows(INDArray x, INDArray delta, long chunkBytes) {
        if (pointwiseGemm) {
            return NhwcPointwiseGemm.kernelGradientRows(x, delta);
        }
        return columns.rows(asNchw(x), asNchw(delta), chunkBytes);
    }

    /** @return whether {@link #kernelGradientRows} applies to these input and output shapes (in this layout) */
    boolean kernelGradientFromColumns(long[] inputShape, long[] outputShape) {
        if (pointwiseGemm) {
            return true;
        }
        return columns.applies(nchwShape(inputShape), nchwShape(outputShape));
    }

    private INDArray asNchw(INDArray a) {
        return nhwc ? a.permute(0, 3, 1, 2).dup('c') : a;
    }

    private long[] nchwShape(long[] shape) {
        return nhwc ? new long[] {shape[0], shape[3], shape[1], shape[2]} : shape;
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
        if (pointwiseGemm) {
            return NhwcPointwiseGemm.inputGradient(x.shape(), kernel, delta);
        }
        if (!inputGradientIsOneConvolution()) {
            return backprop(x, kernel, null, delta)[0];
        }
        if (isStridedPointwise()) {
            // z[o, y, x] = Σ_i W[o, i]·x[i, s·y, s·x]: dx is Wᵀ·δ on the strided grid, zero elsewhere
            INDArray onGrid = pointwise().forward(delta, kernel.permute(0, 1, 3, 2), null);
            INDArray dx = Nd4j.zeros(delta.dataType(), x.shape());
            int hAxis = heightAxis();
            INDArrayIndex rows = strided(stride[0], delta.size(hAxis));
            INDArrayIndex cols = strided(stride[1], delta.size(hAxis + 1));
            INDArray grid = nhwc ? dx.get(NDArrayIndex.all(), rows, cols, NDArrayIndex.all())
                    : dx.get(NDArrayIndex.all(), NDArrayIndex.all(), rows, cols);
            grid.assign(onGrid);
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
