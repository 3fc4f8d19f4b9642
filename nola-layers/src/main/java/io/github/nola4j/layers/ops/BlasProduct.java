package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumMap;
import java.util.Map;

/**
 * Matrix products as one BLAS call each, for the small products of a training step:
 * <pre>
 *   c = alpha·op(a)·op(b) + beta·c      op(m) = m or mᵀ (a transpose flag: no copy)   {@link #into}
 *   c = op(a)·op(b), a new array                                                      {@link #of}
 *   c = 1·row + beta·c                  every row of c [n, m] gets row [1, m] added   {@link #addRows}
 * </pre>
 * They run libnd4j's {@code matmul} with its platform helpers off, so it calls BLAS (OpenBLAS) directly.
 * With the helpers on, libnd4j 1.0.0-M2.1 hands a float product with a C-ordered contiguous output to oneDNN,
 * which builds a primitive per call and runs it as an OpenMP parallel region over both cores: each product
 * of the dense step then wakes the other core's OpenMP worker, and one of [64, 512]·[512, 8] took tens of
 * microseconds. BLAS splits a product over its own threads only above its size threshold (OpenBLAS: about
 * 262,144 multiply-adds). Double products took BLAS before as well (oneDNN's matmul takes no double), so
 * their results are unchanged; float results differ from oneDNN's by rounding.
 *
 * <p>Arrays: any strides BLAS can take with a transpose flag (C or F order, contiguous rows or columns); c
 * must be one contiguous block (elementwise stride 1), as for {@code Nd4j.gemm}. Each thread reuses one
 * op context.
 */
public final class BlasProduct {

    /** A thread's matmul op and context (helpers off), and its columns of ones per data type. */
    private static final class Executor {
        final Mmul op = new Mmul();
        final OpContext context = Nd4j.getExecutioner().buildContext();
        final Map<DataType, INDArray> ones = new EnumMap<>(DataType.class);

        Executor() {
            context.allowHelpers(false);
        }
    }

    private static final ThreadLocal<Executor> EXECUTOR = ThreadLocal.withInitial(Executor::new);

    private BlasProduct() {
    }

    /**
     * c = alpha·op(a)·op(b) + beta·c.
     *
     * @param a [m, k] ([k, m] when {@code transposeA})
     * @param b [k, n] ([n, k] when {@code transposeB})
     * @param c [m, n], one contiguous block; with beta 0 its values are not read
     * @return c
     * @throws IllegalArgumentException when c is not one contiguous block
     */
    public static INDArray into(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
                                double alpha, double beta) {
        if (c.elementWiseStride() != 1) {
            throw new IllegalArgumentException("The output of a matrix product must be one contiguous block (elementwise"
                    + " stride 1), got shape " + java.util.Arrays.toString(c.shape()) + " with strides "
                    + java.util.Arrays.toString(c.stride()) + "; pass a new array or a row block of one");
        }
        Executor e = EXECUTOR.get();
        try {
            e.context.setInputArrays(a, b);
            e.context.setOutputArrays(c);
            e.context.setTArguments(alpha, beta);
            e.context.setIArguments(transposeA ? 1 : 0, transposeB ? 1 : 0, 0);
            Nd4j.getExecutioner().exec(e.op, e.context);
        } finally {
            e.context.purge(); // holds no arrays between calls
        }
        return c;
    }

    /** @return op(a)·op(b), a new C-ordered array of a's data type in the current workspace */
    public static INDArray of(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
        long rows = a.size(transposeA ? 1 : 0);
        long columns = b.size(transposeB ? 0 : 1);
        return into(a, b, Nd4j.createUninitialized(a.dataType(), new long[] {rows, columns}, 'c'), transposeA,
                transposeB, 1.0, 0.0);
    }

    /**
     * c = 1·row + beta·c: {@code row} added to (beta 1) or written into (beta 0) every row of c, as the rank-1
     * product of a column of ones and {@code row}. With beta 1 each element is c + row exactly as a broadcast add
     * rounds it, without an element-wise op (which libnd4j splits over both cores from 2,048 elements on).
     *
     * @param row [1, n] (or [n])
     * @param c   [m, n], one contiguous block, of row's data type
     * @return c
     */
    public static INDArray addRows(INDArray row, INDArray c, double beta) {
        return into(ones(row.dataType(), c.size(0)), row.reshape(1, row.length()), c, false, false, 1.0, beta);
    }

    /** @return a column of {@code rows} ones [rows, 1]: a view of this thread's column, made once outside the workspaces */
    private static INDArray ones(DataType dataType, long rows) {
        Map<DataType, INDArray> cache = EXECUTOR.get().ones;
        INDArray column = cache.get(dataType);
        if (column == null || column.length() < rows) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                column = Nd4j.ones(dataType, Math.max(rows, column == null ? 0 : 2 * column.length()), 1);
            }
            cache.put(dataType, column);
        }
        return column.length() == rows ? column
                : Nd4j.create(column.data(), new long[] {rows, 1}, new long[] {1, 1}, 0, 'c', dataType);
    }
}
