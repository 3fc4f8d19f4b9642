package io.github.nola4j.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NolaFactors#define}: the graph form of A and s·B equals the array form ({@link NolaFactors#factors}) in
 * double, and costs two ops per factor (one product with the pre-scaled, pre-laid-out bases, one reshape), since
 * SameDiff's fit pays its bookkeeping per op.
 */
class NolaFactorsGraphTest {

    @Test
    void graphFactorsEqualTheArrayFactorsWithTwoOpsEach() {
        NolaFactors f = NolaFactors.of(77, 3, 6, 5, 7, 4, 0.4, 0);
        Nd4j.getRandom().setSeed(3);
        INDArray alpha = Nd4j.randn(DataType.DOUBLE, 1, 6);
        INDArray beta = Nd4j.randn(DataType.DOUBLE, 1, 5);
        SameDiff sd = SameDiff.create();
        SDVariable[] ab = f.define(sd, sd.var("alpha", alpha.dup()), sd.var("beta", beta.dup()), DataType.DOUBLE,
                "bases");
        assertEquals(4, sd.getOps().size(), "ops: " + sd.getOps().keySet());
        INDArray[] expected = f.factors(alpha, beta);
        INDArray a = ab[0].eval();
        INDArray b = ab[1].eval();
        assertArrayEquals(new long[] {7, 3}, a.shape());
        assertArrayEquals(new long[] {3, 4}, b.shape());
        assertEquals(0.0, expected[0].sub(a).amaxNumber().doubleValue(), 1e-15);
        assertEquals(0.0, expected[1].sub(b).amaxNumber().doubleValue(), 1e-15);
        assertTrue(expected[1].amaxNumber().doubleValue() > 0, "s·B is not trivially 0");
    }
}
