package io.github.nola4j.samples.soak;

import io.github.nola4j.samples.UsageException;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code soak [--scenario merge|train|all] [--cycles N] [--warmup N] [--limit-mb N]}: long runs
 * whose resident memory must stay flat. {@code merge} ({@link MergeSoak}): zoo ResNet50, adapter
 * activate / merge / unmerge cycles; {@code train} ({@link TrainingSoak}): NOLA training steps
 * of the conv bench scenario. Defaults: both, 1,000 cycles after 20 of warm-up, limit 100 MB.
 *
 * <p>Run it with default JVM and JavaCPP settings (the samples program does not cap JavaCPP's
 * memory for this command), since the point is that nothing depends on the caps.
 */
public final class SoakMain {

    /** Scenarios in the order {@code all} runs them. */
    public static final List<String> SCENARIOS = List.of("merge", "train");
    /** Default measured cycles. */
    public static final int DEFAULT_CYCLES = 1000;
    /** Default warm-up cycles. */
    public static final int DEFAULT_WARMUP = 20;
    /** Default limit of resident memory growth after warm-up, in MB. */
    public static final long DEFAULT_LIMIT_MB = 100;

    private SoakMain() {
    }

    /**
     * Runs the command line after {@code soak}.
     *
     * @return true when every scenario run passed
     * @throws UsageException for a bad option, naming it
     */
    public static boolean run(String[] args, PrintStream out) {
        String scenario = "all";
        int cycles = DEFAULT_CYCLES;
        int warmup = DEFAULT_WARMUP;
        long limitMb = DEFAULT_LIMIT_MB;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--scenario" -> scenario = required(args[i], value);
                case "--cycles" -> cycles = atLeast(args[i], value, 1);
                case "--warmup" -> warmup = atLeast(args[i], value, 1);
                case "--limit-mb" -> limitMb = atLeast(args[i], value, 1);
                default -> throw new UsageException("soak: unknown option " + args[i]
                        + "; use --scenario NAME, --cycles N, --warmup N or --limit-mb N");
            }
            i++;
        }
        if (!scenario.equals("all") && !SCENARIOS.contains(scenario)) {
            throw new UsageException("soak: --scenario " + scenario + " is not one of " + SCENARIOS + " or all");
        }
        boolean ok = true;
        for (String s : SCENARIOS) {
            if (scenario.equals("all") || scenario.equals(s)) {
                SoakRun settings = new SoakRun(s, warmup, cycles, limitMb);
                ok &= s.equals("merge") ? MergeSoak.run(settings, out) : TrainingSoak.run(settings, out);
            }
        }
        return ok;
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new UsageException("soak: " + option + " needs a value");
        }
        return value;
    }

    private static int atLeast(String option, String value, int min) {
        try {
            int n = Integer.parseInt(required(option, value));
            if (n < min) {
                throw new UsageException("soak: " + option + " " + n + " must be at least " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("soak: " + option + " " + value + " is not a whole number");
        }
    }
}
