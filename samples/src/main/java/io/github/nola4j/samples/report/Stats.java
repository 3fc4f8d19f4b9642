package io.github.nola4j.samples.report;

import java.util.Locale;

/**
 * Mean and sample standard deviation of a few values.
 *
 * @param n    number of values
 * @param mean their mean (NaN for none)
 * @param std  sample standard deviation (n - 1 in the denominator; 0 for one value)
 */
public record Stats(int n, double mean, double std) {

    public static Stats of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new Stats(0, Double.NaN, Double.NaN);
        }
        double mean = 0;
        for (double v : values) {
            mean += v / n;
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new Stats(n, mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0);
    }

    /** @return "91.23 ± 0.45" for fractions 0.9123 and 0.0045, times 100; "–" when empty */
    public String percent() {
        return n == 0 ? "–" : String.format(Locale.ROOT, "%.2f ± %.2f", 100 * mean, 100 * std);
    }
}
