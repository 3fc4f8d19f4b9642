package io.github.nola4j.samples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Timings of repeated runs of one step, in milliseconds: median, 10th and 90th percentile.
 *
 * @param samples every measured run (after warm-up), sorted ascending
 */
public record Timing(double[] samples) {

    /** @return the timing of these run times in milliseconds, in any order (the array is not changed) */
    public static Timing of(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new Timing(sorted);
    }

    /**
     * Measures several cases against each other: every round runs each case once, starting at a case
     * rotated per round, so a change in machine load during the run falls on all cases alike.
     * {@code warmup} rounds are unmeasured, then {@code runs} rounds are measured.
     *
     * @return the timing of each case, in the order of {@code cases}
     */
    public static <K> Map<K, Timing> interleaved(Map<K, Runnable> cases, int warmup, int runs) {
        List<K> keys = new ArrayList<>(cases.keySet());
        Map<K, double[]> ms = new LinkedHashMap<>();
        keys.forEach(k -> ms.put(k, new double[runs]));
        for (int round = 0; round < warmup + runs; round++) {
            for (int j = 0; j < keys.size(); j++) {
                K key = keys.get((round + j) % keys.size());
                long start = System.nanoTime();
                cases.get(key).run();
                if (round >= warmup) {
                    ms.get(key)[round - warmup] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        Map<K, Timing> timings = new LinkedHashMap<>();
        ms.forEach((k, v) -> timings.put(k, of(v)));
        return timings;
    }

    /** @return this timing of runs of {@code n} steps each, as times per step */
    public Timing perStep(int n) {
        return new Timing(Arrays.stream(samples).map(ms -> ms / n).toArray());
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
