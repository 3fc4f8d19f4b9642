package io.github.nola4j.samples.serve;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells an answer that float rounding moved from one computed with the wrong adapter (or garbage). The references
 * are every adapter's exact (double) probabilities on the image pool, and the deviation of a row p from a
 * reference e is taken relative to the reference's largest value: d(p, e) = max_j |p_j − e_j| / max_j |e_j|.
 * An answer p for adapter a on image i is right when both hold:
 * <ol>
 *   <li><b>within rounding</b>: d(p, e_a,i) ≤ {@code ROUNDING_FACTOR} · ρ, where ρ is the largest deviation the float
 *       single-adapter {@code AdapterBank} itself shows from the exact references over the whole pool: the server
 *       computes in float as that bank does, so its answers may carry rounding of the same size, through a
 *       different order of operations (batches of other sizes and row orders; mixed groups);</li>
 *   <li><b>its own adapter's</b>: p is nearer e_a,i than any other adapter's (or the base's) reference on image i.</li>
 * </ol>
 * The second condition alone detects an answer of another adapter whatever ρ is; the first catches an answer
 * that is near no reference (a half-built factor, a wrong row). The tolerance is thus measured for the model and
 * the pool, not a constant: zoo ResNet50's 53 float layers round more than the samples CNN's few.
 */
final class AnswerCheck {

    /**
     * How much more rounding than the float AdapterBank's largest an answer may carry: two float computations of the
     * same exact value, each within ρ of it, differ by up to 2ρ; another order of operations gives another draw of
     * roundings of the same size, and ρ is the largest over the pool's rows, not a bound.
     */
    static final double ROUNDING_FACTOR = 2;

    private final Map<String, double[][]> exact = new HashMap<>();
    private final Map<String, double[][]> floats = new HashMap<>();
    private final double rounding;
    private final double tolerance;
    private final double separation;

    /**
     * @param exact   adapter (and {@code MixedAdapterNetwork.BASE}, when given) → [pool, classes] exact probabilities
     * @param floats  adapter → [pool, classes] the float single-adapter AdapterBank's probabilities (the same rows)
     * @param floor   the least tolerance (a model whose float path happens to round less than this still passes)
     */
    AnswerCheck(Map<String, INDArray> exact, Map<String, INDArray> floats, double floor) {
        exact.forEach((name, rows) -> this.exact.put(name, rows.toDoubleMatrix()));
        floats.forEach((name, rows) -> this.floats.put(name, rows.toDoubleMatrix()));
        double rho = 0;
        for (Map.Entry<String, double[][]> e : this.floats.entrySet()) {
            double[][] f = e.getValue();
            double[][] x = this.exact.get(e.getKey());
            for (int i = 0; i < f.length; i++) {
                rho = Math.max(rho, deviation(f[i], x[i]));
            }
        }
        this.rounding = rho;
        this.tolerance = Math.max(floor, ROUNDING_FACTOR * rho);
        double sep = Double.POSITIVE_INFINITY;
        List<String> names = List.copyOf(this.exact.keySet());
        for (int a = 0; a < names.size(); a++) {
            for (int b = a + 1; b < names.size(); b++) {
                double[][] ra = this.exact.get(names.get(a));
                double[][] rb = this.exact.get(names.get(b));
                for (int i = 0; i < ra.length; i++) {
                    sep = Math.min(sep, deviation(ra[i], rb[i]));
                }
            }
        }
        this.separation = sep;
    }

    /**
     * The verdict on one answer.
     *
     * @param deviation      from its own adapter's exact reference
     * @param nearestOther   the other reference it is nearest to
     * @param otherDeviation its deviation from that one
     * @param fromFloat      its deviation from the float AdapterBank's answer on the same row (the same float
     *                       arithmetic, in another order): far below {@code deviation} when the float network's
     *                       rounding, not the serving path, moved it
     */
    record Verdict(boolean right, double deviation, String nearestOther, double otherDeviation, double fromFloat) {
    }

    /** @return the verdict on {@code answer}, the probabilities served for {@code adapter} on pool image {@code image} */
    Verdict judge(double[] answer, String adapter, int image) {
        double own = deviation(answer, exact.get(adapter)[image]);
        String nearest = null;
        double other = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, double[][]> e : exact.entrySet()) {
            if (!e.getKey().equals(adapter)) {
                double d = deviation(answer, e.getValue()[image]);
                if (d < other) {
                    other = d;
                    nearest = e.getKey();
                }
            }
        }
        double[][] f = floats.get(adapter);
        return new Verdict(own <= tolerance && own < other, own, nearest, other,
                f == null ? Double.NaN : deviation(answer, f[image]));
    }

    /** @return true when {@code adapter} has references */
    boolean knows(String adapter) {
        return exact.containsKey(adapter);
    }

    /** @return the number of classes of a row of {@code adapter}'s references */
    int classes(String adapter) {
        return exact.get(adapter)[0].length;
    }

    /** @return ρ: the float AdapterBank's largest deviation from the exact references */
    double rounding() {
        return rounding;
    }

    /** @return the largest deviation an answer may have from its own reference */
    double tolerance() {
        return tolerance;
    }

    /** @return the least deviation between two references on one image: how far apart the adapters' answers lie */
    double separation() {
        return separation;
    }

    /** @return d(p, e) = max_j |p_j − e_j| / max_j |e_j| */
    static double deviation(double[] p, double[] e) {
        if (p.length != e.length) {
            return Double.POSITIVE_INFINITY;
        }
        double scale = Double.MIN_NORMAL;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        double d = 0;
        for (int j = 0; j < e.length; j++) {
            d = Math.max(d, Math.abs(p[j] - e[j]) / scale);
        }
        return d;
    }
}
