package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.ops.HostMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies a small matrix into a block of a larger one through their native buffers, in Java, without an ND4J op:
 * <pre>
 *   target[row0 + i, col0 + j] = source[i, j]      (or source[j, i] when transposed),  i &lt; rows, j &lt; cols
 * </pre>
 * Why: a mixed batch stacks every group's factors of a layer into one array per pass. Through ND4J each block is
 * a view of the target (a Java object with its own native shape buffer) and an assign op (an op context, shape
 * checks), which cost far more than copying a few thousand values; a pass made 2·G of them per adapter layer.
 * Any strides of {@code source} are read as they are (views, 'f' order); {@code target} must be a c-order array
 * that is not a view. Float and double are copied this way on the CPU backend ({@link HostMemory}); another data
 * type, or another backend, goes through a view and assign.
 */
final class BlockCopy {

    private BlockCopy() {
    }

    /**
     * @param target     [R, C], c order, not a view
     * @param row0       first row of the block in {@code target}
     * @param col0       first column of the block
     * @param source     [rows, cols], or [cols, rows] when {@code transposed}; the data type of {@code target}
     * @param transposed whether to copy sourceᵀ
     */
    static void into(INDArray target, long row0, long col0, INDArray source, boolean transposed) {
        int t = transposed ? 1 : 0;
        long rows = source.size(t);
        long cols = source.size(1 - t);
        DataType type = target.dataType();
        boolean direct = HostMemory.direct() && (type == DataType.FLOAT || type == DataType.DOUBLE) && source.dataType() == type
                && target.ordering() == 'c' && !target.isView() && target.rank() == 2 && source.rank() == 2;
        if (!direct) {
            target.get(NDArrayIndex.interval(row0, row0 + rows), NDArrayIndex.interval(col0, col0 + cols))
                    .assign(transposed ? source.transpose() : source);
            return;
        }
        int width = type.width();
        ByteBuffer to = target.data().asNio().order(ByteOrder.nativeOrder());
        ByteBuffer from = source.data().asNio().order(ByteOrder.nativeOrder());
        long[] stride = {source.stride(t), source.stride(1 - t)};
        long targetCols = target.size(1);
        long base = target.offset() + row0 * targetCols + col0;
        for (long i = 0; i < rows; i++) {
            long src = source.offset() + i * stride[0];
            long dst = base + i * targetCols;
            if (stride[1] == 1) {
                to.put((int) (dst * width), from, (int) (src * width), (int) (cols * width));
            } else if (type == DataType.FLOAT) {
                for (long j = 0; j < cols; j++) {
                    to.putFloat((int) ((dst + j) * width), from.getFloat((int) ((src + j * stride[1]) * width)));
                }
            } else {
                for (long j = 0; j < cols; j++) {
                    to.putDouble((int) ((dst + j) * width), from.getDouble((int) ((src + j * stride[1]) * width)));
                }
            }
        }
    }

    /**
     * Picks whole rows, as {@code Nd4j.pullRows(source, 1, sourceRows)} gives them, in Java (6 rows of 5 values,
     * with the reshape before: 13 µs a call against pullRows' 32):
     * <pre>
     *   out[i, :] = source[sourceRows[i], :]      out [sourceRows.length, C]
     * </pre>
     *
     * @param source     [R, C], any layout (rows held contiguous are copied as they lie)
     * @param sourceRows row indices into {@code source}, each in [0, R)
     * @return a new c-order array (in the current workspace) of {@code source}'s data type
     */
    static INDArray rows(INDArray source, int[] sourceRows) {
        DataType type = source.dataType();
        boolean direct = HostMemory.direct() && (type == DataType.FLOAT || type == DataType.DOUBLE)
                && source.rank() == 2 && source.stride(1) == 1 && source.stride(0) == source.size(1);
        if (!direct) {
            return Nd4j.pullRows(source, 1, sourceRows, 'c');
        }
        long cols = source.size(1);
        int width = type.width();
        INDArray out = Nd4j.createUninitialized(type, sourceRows.length, cols);
        ByteBuffer to = out.data().asNio().order(ByteOrder.nativeOrder());
        ByteBuffer from = source.data().asNio().order(ByteOrder.nativeOrder());
        for (int i = 0; i < sourceRows.length; i++) {
            if (sourceRows[i] < 0 || sourceRows[i] >= source.size(0)) {
                throw new IndexOutOfBoundsException("row " + sourceRows[i] + " of a source with " + source.size(0)
                        + " rows");
            }
            to.put((int) ((out.offset() + i * cols) * width), from,
                    (int) ((source.offset() + sourceRows[i] * cols) * width), (int) (cols * width));
        }
        return out;
    }
}
