package io.github.nola4j.layers.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BlasProduct}: equal to ND4J's products for every transpose flag and for transposed views (bit for bit in
 * double, where both are one BLAS call; float against the double result, 1e-6 relative), rows added by the rank-1
 * product bit for bit as a broadcast add, a NaN-filled output overwritten with beta 0, and a strided output refused.
 */
class BlasProductTest {

    private static INDArray random(DataType dt, long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).castTo(dt);
    }

    private static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        assertEquals(0.0, expected.sub(actual).amaxNumber().doubleValue(), what);
    }

    @Test
    void everyTransposeEqualsNd4jGemmInDoubleAndFloat() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                INDArray a = random(DataType.DOUBLE, 1, ta ? new long[] {7, 5} : new long[] {5, 7});
                INDArray b = random(DataType.DOUBLE, 2, tb ? new long[] {9, 7} : new long[] {7, 9});
                INDArray c0 = random(DataType.DOUBLE, 3, 5, 9);
                INDArray expected = Nd4j.gemm(a, b, c0.dup(), ta, tb, 0.7, 0.3);
                String what = "transposeA " + ta + ", transposeB " + tb;
                assertBitIdentical(expected, BlasProduct.into(a, b, c0.dup(), ta, tb, 0.7, 0.3), what + ", double");
                assertBitIdentical(Nd4j.gemm(a, b, ta, tb), BlasProduct.of(a, b, ta, tb), what + ", new array");

                INDArray f = BlasProduct.into(a.castTo(DataType.FLOAT), b.castTo(DataType.FLOAT),
                        c0.castTo(DataType.FLOAT), ta, tb, 0.7, 0.3);
                double scale = expected.amaxNumber().doubleValue();
                assertTrue(expected.sub(f.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() <= 1e-6 * scale,
                        what + ", float");
            }
        }
    }

    @Test
    void readsTransposedViewsAsTheyAre() {
        INDArray a = random(DataType.DOUBLE, 4, 6, 4);
        INDArray bt = random(DataType.DOUBLE, 5, 3, 6); // the view bt.transpose() is [6, 3] in F order
        INDArray expected = Nd4j.gemm(a, bt.dup(), true, true);
        assertBitIdentical(expected, BlasProduct.of(a.transpose(), bt.transpose(), false, false), "transposed views");
    }

    @Test
    void addRowsIsABroadcastAddBitForBit() {
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray c = random(dt, 6, 64, 33);
            INDArray row = random(dt, 7, 1, 33);
            assertBitIdentical(c.dup().addiRowVector(row), BlasProduct.addRows(row, c.dup(), 1.0), dt + " add");
            INDArray nan = Nd4j.valueArrayOf(new long[] {64, 33}, Double.NaN, dt);
            assertBitIdentical(Nd4j.zeros(dt, 64, 33).addiRowVector(row), BlasProduct.addRows(row, nan, 0.0),
                    dt + " write over NaN");
        }
        INDArray small = random(DataType.DOUBLE, 8, 3, 33); // a column of ones made for 64 rows serves 3
        INDArray row = random(DataType.DOUBLE, 9, 1, 33);
        assertBitIdentical(small.dup().addiRowVector(row), BlasProduct.addRows(row, small.dup(), 1.0), "3 rows");
    }

    @Test
    void threadsEachUseTheirOwnContext() throws Exception {
        INDArray a = random(DataType.DOUBLE, 10, 40, 30);
        INDArray b = random(DataType.DOUBLE, 11, 30, 20);
        INDArray expected = Nd4j.gemm(a, b, false, false);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?>[] runs = new Future<?>[6];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = pool.submit(() -> {
                    for (int k = 0; k < 50; k++) {
                        assertBitIdentical(expected, BlasProduct.of(a, b, false, false), "thread's product");
                    }
                });
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void refusesAStridedOutputNamingItsShape() {
        INDArray block = Nd4j.zeros(DataType.DOUBLE, 5, 8).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlasProduct.into(Nd4j.ones(DataType.DOUBLE, 5, 2), Nd4j.ones(DataType.DOUBLE, 2, 4), block,
                        false, false, 1.0, 0.0));
        assertTrue(e.getMessage().contains("[5, 4]") && e.getMessage().contains("contiguous"), e.getMessage());
    }
}
