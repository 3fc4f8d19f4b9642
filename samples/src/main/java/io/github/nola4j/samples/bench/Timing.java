package io.github.nola4j.samples.bench;

import java.util.Arrays;

/**
 * Timings of repeated runs of one step, in milliseconds: median, 10th and 90th percentile.
 *
 * @param samples every measured run (after warm-up), sorted ascending
 */
public record Timing(double[] samples) {

    /** Runs {@code step} {@code warmup} times unmeasured, then {@code runs} times measured. */
    public static Timing measure(Runnable step, int warmup, int runs) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return new Timing(ms);
    }

    public double median() {
        return percentile(50);
    }

    /** @return the nearest-rank percentile p (0-100) */
    public double percentile(double p) {
        int index = (int) Math.ceil(p / 100.0 * samples.length) - 1;
        return samples[Math.max(0, Math.min(samples.length - 1, index))];
    }

    /** @return {@code median_ms=<m> p10=<a> p90=<b>} */
    public String format() {
        return String.format("median_ms=%.3f p10=%.3f p90=%.3f", median(), percentile(10), percentile(90));
    }
}
