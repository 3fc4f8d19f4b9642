package io.github.nola4j.layers.basis;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden values pin generator version 1 forever: a failure here means saved adapters broke. */
class BasisGeneratorTest {

    @Test
    void goldenValuesOfVersion1() {
        assertEquals("nola4j-splitmix64-boxmuller", BasisGenerator.ID);
        assertEquals(1, BasisGenerator.VERSION);
        long key = BasisGenerator.key(42L, BasisRole.A.stream(0));
        assertEquals(0x957a953b6e05fa5aL, key);
        long[] golden = {4599710100530309179L, 4574313014215305628L, 4593042650818928807L, -4619961980631833879L};
        for (int i = 0; i < golden.length; i++) {
            assertEquals(golden[i], Double.doubleToRawLongBits(BasisGenerator.gaussian(key, i)), "index " + i);
        }
        long keyB = BasisGenerator.key(7L, BasisRole.B.stream(3));
        assertEquals(-4621946314424207499L, Double.doubleToRawLongBits(BasisGenerator.gaussian(keyB, 1_000_001)));
        assertEquals(4603316549472599685L, Double.doubleToRawLongBits(BasisGenerator.uniform(keyB, 5)));
    }

    @Test
    void gaussianHasUnitMomentsAndUniformStaysInRange() {
        long key = BasisGenerator.key(1L, BasisRole.A.stream(9));
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double g = BasisGenerator.gaussian(key, i);
            sum += g;
            sumSq += g * g;
            double u = BasisGenerator.uniform(key, i);
            assertTrue(u > 0 && u <= 1, "uniform out of (0,1]: " + u);
        }
        assertEquals(0.0, sum / n, 0.01);
        assertEquals(1.0, sumSq / n, 0.01);
    }

    @Test
    void streamsAndSeedsDiffer() {
        long a = BasisGenerator.key(5L, BasisRole.A.stream(0));
        long b = BasisGenerator.key(5L, BasisRole.A.stream(1));
        long c = BasisGenerator.key(6L, BasisRole.A.stream(0));
        long d = BasisGenerator.key(5L, BasisRole.B.stream(0));
        double va = BasisGenerator.gaussian(a, 0);
        assertTrue(va != BasisGenerator.gaussian(b, 0) && va != BasisGenerator.gaussian(c, 0)
                && va != BasisGenerator.gaussian(d, 0));
    }

    @Test
    void cacheSharesOneFamilyAndSlicesItsPrefix() {
        long seed = 987_654L;
        INDArray small = BasisCache.bases(seed, BasisRole.A, 3, 5, 10, DataType.FLOAT);
        INDArray large = BasisCache.bases(seed, BasisRole.A, 3, 5, 40, DataType.FLOAT);
        INDArray again = BasisCache.bases(seed, BasisRole.A, 3, 5, 40, DataType.FLOAT);
        assertSame(large, again, "the same family must be one shared array");
        assertEquals(30, small.rows());
        assertEquals(120, large.rows());
        assertEquals(small, large.get(NDArrayIndex.interval(0, 30), NDArrayIndex.all()),
                "a narrower layer must see the prefix of a wider layer's bases");
        INDArray slice = BasisCache.bases(seed, BasisRole.A, 3, 5, 20, DataType.FLOAT);
        assertEquals(large.data().address(), slice.data().address(), "a slice must be a view, not a copy");
        // element [row * r + j, i] is gaussian(key(seed, A.stream(i)), row * r + j)
        long key4 = BasisGenerator.key(seed, BasisRole.A.stream(4));
        assertEquals((float) BasisGenerator.gaussian(key4, 37), large.getFloat(37, 4));
        INDArray dbl = BasisCache.bases(seed, BasisRole.A, 3, 5, 40, DataType.DOUBLE);
        assertEquals(BasisGenerator.gaussian(key4, 37), dbl.getDouble(37, 4));
    }
}
