package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.OpenMpWaitPolicy;
import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.bench.BenchNetworks.Kind;
import io.github.nola4j.samples.bench.BenchNetworks.Scenario;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench [--scenario dense|conv|resnet50|inference|evaluation|vit|convshapes|all] [--steps N] [--warmup N] [--profile]}:
 * one line per case, {@code bench <scenario>-<kind> median_ms=<m> p10=<a> p90=<b>}, the median of N
 * training steps (default 30, at least 20) after warm-up, every kind of a scenario in the same run,
 * interleaved step by step ({@link Timing#interleaved}), and followed by its ratios. The dense and conv
 * scenarios also print {@code bench <scenario>-<kind>-cost ...}, what each step cost besides wall time
 * ({@link StepCosts}: CPU of the stepping thread and of the process, Java allocation, collections). {@code --profile}
 * adds, for the resnet50 scenario, where each kind's step spends its time ({@link StepProfile}).
 */
public final class BenchMain {

    /** Scenarios in the order {@code all} runs them. */
    public static final List<String> SCENARIOS = List.of("dense", "conv", "inference", "resnet50", "evaluation", "vit",
            "convshapes");

    private BenchMain() {
    }

    /** Default timed steps per case. */
    public static final int DEFAULT_STEPS = 30;
    /** Fewest timed steps that give a usable median and percentiles. */
    public static final int MIN_STEPS = 20;
    /** Default untimed warm-up steps per case. */
    public static final int DEFAULT_WARMUP = 10;

    /**
     * @param scenario one of {@link #SCENARIOS} or "all"
     * @param steps    timed steps per case, at least {@link #MIN_STEPS}
     * @param warmup   untimed warm-up steps per case, at least 1
     * @param profile  whether the resnet50 scenario also prints where its steps spend their time
     * @throws UsageException for an unknown scenario
     */
    public static void run(String scenario, int steps, int warmup, boolean profile, PrintStream out) {
        if (!scenario.equals("all") && !SCENARIOS.contains(scenario)) {
            throw new UsageException("bench: --scenario " + scenario + " is not one of " + SCENARIOS + " or all");
        }
        out.println(configuration());
        for (String s : SCENARIOS) {
            if (scenario.equals("all") || scenario.equals(s)) {
                switch (s) {
                    case "dense" -> training(Scenario.DENSE, out, warmup, steps);
                    case "conv" -> training(Scenario.CONV, out, warmup, steps);
                    case "inference" -> InferenceBench.run(out, warmup, steps);
                    case "vit" -> VitBench.run(out, warmup, steps);
                    case "convshapes" -> ConvShapesBench.run(out, warmup, steps);
                    case "evaluation" -> EvaluationBench.run(out, Math.min(warmup, 2), EvaluationBench.runs(steps));
                    default -> ResNet50Bench.run(out, Math.min(warmup, 3), steps, profile);
                }
            }
        }
    }

    /** DL4J's property that turns its own layers' helpers (oneDNN on CPU) off; 1.0.0-M2.1 defaults it to true. */
    static final String DL4J_HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

    /**
     * @return one line: the ND4J backend, its BLAS, the OpenMP threads and whether DL4J's own layers
     *         (the full and frozen baselines) may use their oneDNN helpers
     */
    static String configuration() {
        java.util.Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        return String.format("bench config backend=%s blas=%s omp_threads=%s omp_wait_policy=%s dl4j_layer_helpers=%s (-D%s=%s)",
                env.getProperty("backend"), env.getProperty("blas.vendor"), env.get("omp.threads"),
                OpenMpWaitPolicy.describe(),
                Boolean.parseBoolean(System.getProperty(DL4J_HELPERS_DISABLE, "true")) ? "off" : "on",
                DL4J_HELPERS_DISABLE, System.getProperty(DL4J_HELPERS_DISABLE, "true (DL4J's default)"));
    }

    private static void training(Scenario scenario, PrintStream out, int warmup, int runs) {
        String name = scenario.name().toLowerCase();
        DataSet batch = BenchNetworks.batch(scenario);
        Map<Kind, Runnable> steps = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            MultiLayerNetwork net = BenchNetworks.network(scenario, kind);
            steps.put(kind, () -> net.fit(batch));
        }
        Map<Kind, StepCosts> costs = StepCosts.interleaved(steps, warmup, runs);
        Map<Kind, Timing> timings = new EnumMap<>(Kind.class);
        costs.forEach((kind, c) -> timings.put(kind, c.wall()));
        timings.forEach((kind, t) -> out.println("bench " + name + "-" + kind.name().toLowerCase() + " " + t.format()));
        costs.forEach((kind, c) -> out.println("bench " + name + "-" + kind.name().toLowerCase() + "-cost " + c.format()));
        double nola = timings.get(Kind.NOLA).median();
        double frozen = timings.get(Kind.FROZEN).median();
        out.printf("bench %s-ratio nola/full=%.3f nola/frozen=%.3f frozen/nola=%.3f frozen/frozen_dl4j=%.3f"
                + " floor/nola=%.3f%n", name,
                nola / timings.get(Kind.FULL).median(), nola / frozen, frozen / nola,
                frozen / timings.get(Kind.FROZEN_DL4J).median(), timings.get(Kind.FLOOR).median() / nola);
    }
}
