package io.github.nola4j.samples.report;

import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.train.FinetuneConfig;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the comparison as {@code report.md} (a table of mean ± std accuracy per method and shots
 * setting, with every seed's value) and three PNG plots: accuracy against trainable parameters and
 * against adapter bytes (log x), and the training loss per step.
 */
public final class ReportWriter {

    public static final String REPORT = "report.md";
    public static final String PLOT_PARAMS = "accuracy-vs-params.png";
    public static final String PLOT_BYTES = "accuracy-vs-bytes.png";
    public static final String PLOT_LOSS = "training-loss.png";
    /** Steps averaged in the smoothed training curves. */
    static final int SMOOTHING = 10;

    private ReportWriter() {
    }

    /** Writes the report and plots of {@code runs} (the grid of {@code c}) into {@code dir}. */
    public static void write(Comparison c, List<RunRecord> runs, Path dir, String header) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(REPORT), markdown(c, runs, header), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(REPORT) + ": " + e.getMessage(), e);
        }
        int mainShots = mainShots(c);
        accuracyChart(c, runs, true).write(dir.resolve(PLOT_PARAMS));
        accuracyChart(c, runs, false).write(dir.resolve(PLOT_BYTES));
        lossChart(c, runs, mainShots).write(dir.resolve(PLOT_LOSS));
    }

    static String markdown(Comparison c, List<RunRecord> runs, String header) {
        StringBuilder s = new StringBuilder("# NOLA vs LoRA on Fashion-MNIST transfer\n\n").append(header).append("\n\n");
        s.append("Accuracy % on the full test split of the target classes, mean ± sample std over seeds ")
                .append(Arrays.stream(c.seeds()).mapToObj(Long::toString).collect(Collectors.joining(", ")))
                .append("; ").append(c.steps()).append(" Adam steps of ").append(FinetuneConfig.DEFAULT_BATCH)
                .append(" (or all images when fewer). Adapter bytes: the trained values below the head at 32 bits.\n\n");
        s.append("| method | lr | trainable below head | adapter bytes |");
        for (int shot : c.shots()) {
            s.append(" ").append(shot).append(" per class |");
        }
        s.append("\n|---|---|---|---|").append("---|".repeat(c.shots().length)).append("\n");
        for (Variant v : c.variants()) {
            List<RunRecord> mine = of(runs, v, -1);
            if (mine.isEmpty()) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d |", v.label(), v.learningRate(),
                    mine.get(0).trainable(), mine.get(0).adapterBytes()));
            for (int shot : c.shots()) {
                s.append(" ").append(stats(of(runs, v, shot)).percent()).append(" |");
            }
            s.append("\n");
        }
        s.append(claim(c, runs, mainShots(c)));
        s.append(Targets.verdicts(c, runs, mainShots(c)));
        s.append("\nEvery run (accuracy %, seeds in the order above):\n\n| method | shots | accuracies | train s |\n")
                .append("|---|---|---|---|\n");
        for (Variant v : c.variants()) {
            for (int shot : c.shots()) {
                List<RunRecord> mine = of(runs, v, shot);
                if (!mine.isEmpty()) {
                    s.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f |%n", v.label(), shot,
                            mine.stream().map(r -> String.format(Locale.ROOT, "%.2f", 100 * r.accuracy()))
                                    .collect(Collectors.joining(" / ")),
                            mine.stream().mapToDouble(RunRecord::trainSeconds).average().orElse(0)));
                }
            }
        }
        s.append("\n![accuracy against trainable parameters](").append(PLOT_PARAMS).append(")\n\n![accuracy against ")
                .append("adapter bytes](").append(PLOT_BYTES).append(")\n\n![training loss](").append(PLOT_LOSS)
                .append(")\n");
        return s.toString();
    }

    /**
     * The claim of the samples: NOLA with at most a quarter of LoRA rank 1's trainable parameters is
     * within 1 point of LoRA rank 1 (mean over seeds) and beats head-only, at {@code shot} images per class.
     *
     * @return a paragraph per qualifying NOLA variant, or an empty string when the runs lack LoRA r=1
     */
    static String claim(Comparison c, List<RunRecord> runs, int shot) {
        Variant lora1 = c.variants().stream().filter(v -> v.method() == Method.LORA && v.rank() == 1).findFirst()
                .orElse(null);
        Variant head = c.variants().stream().filter(v -> v.method() == Method.HEAD).findFirst().orElse(null);
        if (lora1 == null || of(runs, lora1, shot).isEmpty()) {
            return "";
        }
        double loraMean = 100 * stats(of(runs, lora1, shot)).mean();
        long loraParams = of(runs, lora1, shot).get(0).trainable();
        Double headMean = head == null || of(runs, head, shot).isEmpty() ? null
                : 100 * stats(of(runs, head, shot)).mean();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%nThe claim at %d images per class: NOLA "
                + "with at most a quarter of LoRA r=1's %,d trainable values within 1 point of LoRA r=1 (%.2f %%)%s.%n%n",
                shot, loraParams, loraMean, headMean == null ? "" : String.format(Locale.ROOT,
                        " and above head only (%.2f %%)", headMean)));
        for (Variant v : c.variants()) {
            List<RunRecord> mine = of(runs, v, shot);
            if (v.method() != Method.NOLA || mine.isEmpty() || 4 * mine.get(0).trainable() > loraParams) {
                continue;
            }
            double mean = 100 * stats(mine).mean();
            boolean holds = loraMean - mean <= 1.0 && (headMean == null || mean > headMean);
            s.append(String.format(Locale.ROOT, "- %s (%,d values): %.2f %%, %+.2f points from LoRA r=1: %s.%n",
                    v.label(), mine.get(0).trainable(), mean, mean - loraMean, holds ? "holds" : "does not hold"));
        }
        return s.toString();
    }

    private static Chart accuracyChart(Comparison c, List<RunRecord> runs, boolean params) {
        Chart chart = new Chart("Test accuracy against " + (params ? "trainable parameters below the head"
                : "adapter size (32-bit values)"), params ? "trainable parameters (log scale)"
                : "adapter bytes (log scale)", "accuracy %", true);
        int colour = 0;
        for (int shot : c.shots()) {
            Color color = Chart.PALETTE[colour++ % Chart.PALETTE.length];
            List<Chart.Point> points = new ArrayList<>();
            for (Variant v : c.variants()) {
                Stats st = stats(of(runs, v, shot));
                if (st.n() == 0) {
                    continue;
                }
                RunRecord any = of(runs, v, shot).get(0);
                if (v.method() == Method.HEAD) {
                    chart.add(new Chart.Reference("head only, " + shot + "/class", color, 100 * st.mean()));
                    continue;
                }
                double x = params ? any.trainable() : any.adapterBytes();
                points.add(new Chart.Point(x, 100 * st.mean(), 100 * st.std(), shortName(v)));
            }
            points.sort((a, b) -> Double.compare(a.x(), b.x()));
            chart.add(new Chart.Series(shot + " images/class", color, points, false));
        }
        return chart;
    }

    private static Chart lossChart(Comparison c, List<RunRecord> runs, int shot) {
        Chart chart = new Chart("Training loss, " + shot + " images per class (mean over seeds, " + SMOOTHING
                + "-step moving average)", "step", "cross-entropy loss", false);
        int colour = 0;
        for (Variant v : c.variants()) {
            List<RunRecord> mine = of(runs, v, shot);
            if (mine.isEmpty()) {
                continue;
            }
            int steps = mine.stream().mapToInt(r -> r.losses().length).min().orElse(0);
            List<Chart.Point> points = new ArrayList<>();
            double window = 0;
            double[] mean = new double[steps];
            for (int i = 0; i < steps; i++) {
                for (RunRecord r : mine) {
                    mean[i] += r.losses()[i] / mine.size();
                }
                window += mean[i] - (i >= SMOOTHING ? mean[i - SMOOTHING] : 0);
                points.add(new Chart.Point(i + 1, window / Math.min(i + 1, SMOOTHING), 0, null));
            }
            chart.add(new Chart.Series(v.label(), Chart.PALETTE[colour++ % Chart.PALETTE.length], points, true));
        }
        return chart;
    }

    /** @return the shots setting closest to the default 100 */
    static int mainShots(Comparison c) {
        return Arrays.stream(c.shots()).boxed().min((a, b) -> Integer.compare(Math.abs(a - FinetuneConfig.DEFAULT_SHOTS),
                Math.abs(b - FinetuneConfig.DEFAULT_SHOTS))).orElse(FinetuneConfig.DEFAULT_SHOTS);
    }

    private static String shortName(Variant v) {
        return v.label().replace("NOLA k=l=", "NOLA ").replace("LoRA r=", "LoRA ");
    }

    /** @return the runs of {@code v} at {@code shots} (any shots when negative) */
    private static List<RunRecord> of(List<RunRecord> runs, Variant v, int shots) {
        return runs.stream().filter(r -> r.variant().equals(v.id()) && (shots < 0 || r.shots() == shots)).toList();
    }

    private static Stats stats(List<RunRecord> runs) {
        return Stats.of(runs.stream().mapToDouble(RunRecord::accuracy).toArray());
    }
}
