package io.github.nola4j.samples.report;

import java.util.ArrayList;
import java.util.List;

/** Axis ticks at round values and their labels. */
final class Ticks {

    private Ticks() {
    }

    /** @return 4 to 10 ticks at multiples of 1, 2 or 5 times a power of ten within [lo, hi] */
    static List<Double> linear(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power
                : 10 * power;
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
            ticks.add(Math.abs(t) < 1e-9 * step ? 0 : t);
        }
        return ticks;
    }

    /** @return the powers of ten within [lo, hi] */
    static List<Double> powers(double lo, double hi) {
        List<Double> ticks = new ArrayList<>();
        for (int e = (int) Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) {
            ticks.add(Math.pow(10, e));
        }
        return ticks;
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(String.format(java.util.Locale.ROOT, "%.3g", v)).stripTrailingZeros()
                .toPlainString();
    }

    /** @return 10 → "10", 1000 → "1k", 1e6 → "1M" */
    static String formatPower(double v) {
        if (v >= 1e6) {
            return format(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return format(v / 1e3) + "k";
        }
        return format(v);
    }
}
