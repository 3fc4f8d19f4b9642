package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The kernel gradient of one convolution geometry without its input gradient, from the input's columns
 * (libnd4j's im2col, which takes NCHW only; {@link Conv2dOps} hands NHWC activations over as NCHW).
 * libnd4j has no filter-only conv2d_bp (conv2d_bp, its oneDNN version and conv2d_input_bp all compute
 * the input gradient too).
 */
final class ColumnKernelGradient {

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final PaddingMode mode;

    ColumnKernelGradient(int[] kernel, int[] stride, int[] padding, int[] dilation, PaddingMode mode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.mode = mode;
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
     * The columns are made a few examples at a time ({@link Conv2dOps#COLUMN_CHUNK_BYTES} at most, at least one
     * example) into one buffer reused for every chunk, so each chunk's GEMMs read columns still in cache
     * instead of the whole batch's (75 MB on the bench's conv scenario) written out and read back from
     * memory; the GEMMs and their order are the same, so dK is the same. The buffer lives only during this
     * call. Only where {@link #applies} holds.
     *
     * @param x     [mb, nIn, h, w]
     * @param delta dL/dz of the convolution, [mb, r, oH, oW]
     * @return dL/dK [nIn·kH·kW, r] (F order: the transpose of a C-order [r, nIn·kH·kW])
     */
    INDArray rows(INDArray x, INDArray delta) {
        return rows(x, delta, Conv2dOps.COLUMN_CHUNK_BYTES);
    }

    /** {@link #rows(INDArray, INDArray)} with at most {@code chunkBytes} of columns at once. */
    INDArray rows(INDArray x, INDArray delta, long chunkBytes) {
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
     * @return true when {@link #rows} applies: im2col with this geometry's padding before
     *         the input (Same mode: {@link #samePaddingBefore}) yields exactly the output's positions,
     *         false for a Same layer padded more after the input than before it (im2col pads alike on both sides)
     */
    boolean applies(long[] inputShape, long[] outputShape) {
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

}
