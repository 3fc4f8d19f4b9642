package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.DifferentiationLogFilter;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central differences of a graph's scalar loss with respect to chosen variables, against SameDiff's
 * {@code calculateGradients}, in double precision:
 * <pre>
 *   n_i = (L(θ + ε e_i) - L(θ - ε e_i)) / 2ε,   pass when |g_i - n_i| / (|g_i| + |n_i|) &lt;= maxRelError
 *                                               or |g_i - n_i| &lt;= minAbsError
 * </pre>
 * (SameDiff 1.0.0-M2.1's {@code GradCheckUtil.checkGradients} threw a NullPointerException on the rewritten
 * graphs, at GradCheckUtil.java:165 on a variable without an array, so the check is written here.)
 */
final class FiniteDifferenceCheck {

    private FiniteDifferenceCheck() {
    }

    /** Asserts the gradients of {@code loss} with respect to every variable in {@code names}. */
    static void assertGradients(SameDiff sd, Map<String, INDArray> placeholders, String loss, List<String> names,
                                double eps, double maxRelError, double minAbsError) {
        Map<String, INDArray> analytic = new HashMap<>();
        DifferentiationLogFilter.run(() -> analytic.putAll(sd.calculateGradients(placeholders, names)));
        int checked = 0;
        for (String name : names) {
            INDArray value = sd.getArrForVarName(name);
            INDArray grad = analytic.get(name);
            for (long i = 0; i < value.length(); i++) {
                double original = value.getDouble(i);
                value.putScalar(i, original + eps);
                double plus = loss(sd, placeholders, loss);
                value.putScalar(i, original - eps);
                double minus = loss(sd, placeholders, loss);
                value.putScalar(i, original);
                double numeric = (plus - minus) / (2 * eps);
                double a = grad.getDouble(i);
                double diff = Math.abs(a - numeric);
                double rel = diff / Math.max(Math.abs(a) + Math.abs(numeric), Double.MIN_NORMAL);
                assertTrue(rel <= maxRelError || diff <= minAbsError, "d" + loss + "/d" + name + "[" + i + "]: "
                        + "analytic " + a + ", numeric " + numeric + ", relative error " + rel);
                checked++;
            }
        }
        assertTrue(checked > 0, "nothing checked");
    }

    private static double loss(SameDiff sd, Map<String, INDArray> placeholders, String loss) {
        return sd.output(placeholders, loss).get(loss).getDouble(0);
    }
}
