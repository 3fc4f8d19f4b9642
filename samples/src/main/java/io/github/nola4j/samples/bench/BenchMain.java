package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.bench.BenchNetworks.Kind;
import io.github.nola4j.samples.bench.BenchNetworks.Scenario;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench [--scenario dense|conv|resnet50|inference|all] [--steps N] [--warmup N] [--profile]}: one line
 * per case, {@code bench <scenario>-<kind> median_ms=<m> p10=<a> p90=<b>}, the median of N
 * training steps (default 30, at least 20) after warm-up, every kind of a scenario in the same run,
 * interleaved step by step ({@link Timing#interleaved}), and followed by its ratios. {@code --profile}
 * adds, for the resnet50 scenario, where each kind's step spends its time ({@link StepProfile}).
 */
public final class BenchMain {

    /** Scenarios in the order {@code all} runs them. */
    public static final List<String> SCENARIOS = List.of("dense", "conv", "inference", "resnet50");

    private BenchMain() {
    }

    /** Runs the command line after {@code bench}. */
    public static void run(String[] args, PrintStream out) {
        String scenario = "all";
        int steps = 30;
        int warmup = 10;
        boolean profile = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (args[i].equals("--profile")) {
                profile = true;
                continue;
            }
            switch (args[i]) {
                case "--scenario" -> scenario = required(args[i], value);
                case "--steps" -> steps = atLeast(args[i], value, 20);
                case "--warmup" -> warmup = atLeast(args[i], value, 1);
                default -> throw new UsageException("bench: unknown option " + args[i]
                        + "; use --scenario NAME, --steps N, --warmup N or --profile");
            }
            i++;
        }
        if (!scenario.equals("all") && !SCENARIOS.contains(scenario)) {
            throw new UsageException("bench: --scenario " + scenario + " is not one of " + SCENARIOS + " or all");
        }
        for (String s : SCENARIOS) {
            if (scenario.equals("all") || scenario.equals(s)) {
                switch (s) {
                    case "dense" -> training(Scenario.DENSE, out, warmup, steps);
                    case "conv" -> training(Scenario.CONV, out, warmup, steps);
                    case "inference" -> InferenceBench.run(out, warmup, steps);
                    default -> ResNet50Bench.run(out, Math.min(warmup, 3), steps, profile);
                }
            }
        }
    }

    private static void training(Scenario scenario, PrintStream out, int warmup, int runs) {
        String name = scenario.name().toLowerCase();
        DataSet batch = BenchNetworks.batch(scenario);
        Map<Kind, Runnable> steps = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            MultiLayerNetwork net = BenchNetworks.network(scenario, kind);
            steps.put(kind, () -> net.fit(batch));
        }
        Map<Kind, Timing> timings = Timing.interleaved(steps, warmup, runs);
        timings.forEach((kind, t) -> out.println("bench " + name + "-" + kind.name().toLowerCase() + " " + t.format()));
        double nola = timings.get(Kind.NOLA).median();
        out.printf("bench %s-ratio nola/full=%.3f nola/frozen=%.3f%n", name, nola / timings.get(Kind.FULL).median(),
                nola / timings.get(Kind.FROZEN).median());
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new UsageException("bench: " + option + " needs a value");
        }
        return value;
    }

    private static int atLeast(String option, String value, int min) {
        try {
            int n = Integer.parseInt(required(option, value));
            if (n < min) {
                throw new UsageException("bench: " + option + " " + n + " must be at least " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("bench: " + option + " " + value + " is not a whole number");
        }
    }
}
