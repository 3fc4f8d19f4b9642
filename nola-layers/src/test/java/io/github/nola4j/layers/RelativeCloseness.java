package io.github.nola4j.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Element-wise equality to a tolerance relative to the expected array's largest magnitude. */
final class RelativeCloseness {

    private RelativeCloseness() {
    }

    /** Asserts |expected_i − actual_i| ≤ tolerance · max|expected| for every i, and that expected is not all zero. */
    static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double[] e = expected.dup().data().asDouble();
        double[] a = actual.dup().data().asDouble();
        assertEquals(e.length, a.length, what);
        double largest = 0;
        for (double v : e) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 0, what + ": all zero");
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance * largest, what + " [" + i + "]");
        }
    }
}
