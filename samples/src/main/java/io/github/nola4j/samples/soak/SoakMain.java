package io.github.nola4j.samples.soak;

import io.github.nola4j.samples.UsageException;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code soak [--scenario merge|train|all] [--cycles N] [--warmup N] [--limit-mb N]} (options parsed by
 * the samples' one option parser): long runs
 * whose resident memory must stay flat. {@code merge} ({@link MergeSoak}): zoo ResNet50, adapter
 * activate / merge / unmerge cycles; {@code train} ({@link TrainingSoak}): NOLA training steps
 * of the conv bench scenario. Defaults: both, 1,000 cycles after 200 of warm-up (the merge soak on
 * ResNet50 still grew 187 MB in its first 300 cycles after 20 of warm-up, then 5 MB in 1,000 after 200), limit 100 MB on the
 * memory retained after a collection (see {@link ResidentMemory}).
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
    public static final int DEFAULT_WARMUP = 200;
    /** Default limit of resident memory growth after warm-up, in MB. */
    public static final int DEFAULT_LIMIT_MB = 100;

    private SoakMain() {
    }

    /**
     * @param scenario one of {@link #SCENARIOS} or "all"
     * @param cycles   measured cycles, at least 1
     * @param warmup   warm-up cycles, at least 1
     * @param limitMb  allowed growth of resident memory after warm-up, in MB
     * @return true when every scenario run passed
     * @throws UsageException for an unknown scenario
     */
    public static boolean run(String scenario, int cycles, int warmup, long limitMb, PrintStream out) {
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
}
