package io.github.nola4j.layers.serving;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link BlockCopy} against the same block written through a view and assign. */
class BlockCopyTest {

    private static void check(DataType type, INDArray source, long row0, long col0, boolean transposed) {
        INDArray target = Nd4j.rand(type, 7, 9);
        INDArray want = target.dup();
        INDArray block = transposed ? source.transpose() : source;
        want.get(NDArrayIndex.interval(row0, row0 + block.size(0)), NDArrayIndex.interval(col0, col0 + block.size(1)))
                .assign(block);
        BlockCopy.into(target, row0, col0, source, transposed);
        assertEquals(want, target, type + " transposed=" + transposed + " source order " + source.ordering());
    }

    @Test
    void copiesContiguousStridedAndTransposedSourcesInFloatAndDouble() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray c = Nd4j.rand(type, 3, 4);
            check(type, c, 2, 5, false);                         // rows copied whole
            check(type, c, 1, 0, true);                          // [4, 3] block from a [3, 4] source
            check(type, c.dup('f'), 4, 3, false);                // column-major source
            INDArray big = Nd4j.rand(type, 6, 8);
            check(type, big.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 7)), 0, 1, false);   // a view
            check(type, big.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 7)), 0, 0, true);
        }
    }

    @Test
    void otherDataTypesAndViewTargetsGoThroughAssign() {
        check(DataType.HALF, Nd4j.rand(DataType.HALF, 2, 3), 1, 1, false);
        INDArray target = Nd4j.rand(DataType.FLOAT, 6, 6);
        INDArray view = target.get(NDArrayIndex.interval(1, 5), NDArrayIndex.all());
        INDArray source = Nd4j.rand(DataType.FLOAT, 2, 3);
        BlockCopy.into(view, 1, 2, source, false);
        assertEquals(source, target.get(NDArrayIndex.interval(2, 4), NDArrayIndex.interval(2, 5)));
    }

    @Test
    void picksRowsAsPullRowsDoes() {
        int[] picks = {4, 0, 4, 2};
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            INDArray source = Nd4j.rand(type, 5, 3);
            assertEquals(Nd4j.pullRows(source, 1, picks), BlockCopy.rows(source, picks), type.toString());
            INDArray reshaped = Nd4j.rand(type, 5, 6).reshape('c', 10, 3);
            assertEquals(Nd4j.pullRows(reshaped, 1, picks), BlockCopy.rows(reshaped, picks), type + " reshaped");
        }
        INDArray big = Nd4j.rand(DataType.FLOAT, 6, 8);
        INDArray columns = big.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 5));   // rows not contiguous
        assertEquals(Nd4j.pullRows(columns, 1, picks), BlockCopy.rows(columns, picks));
        INDArray lower = big.get(NDArrayIndex.interval(2, 6), NDArrayIndex.all());     // an offset view
        assertEquals(Nd4j.pullRows(lower, 1, new int[] {3, 1}), BlockCopy.rows(lower, new int[] {3, 1}));
        assertThrows(IndexOutOfBoundsException.class, () -> BlockCopy.rows(Nd4j.rand(DataType.FLOAT, 5, 3),
                new int[] {5}));
    }
}
