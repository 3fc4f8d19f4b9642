package io.github.nola4j.samples.soak;

import io.github.nola4j.samples.bench.Timing;

import java.io.PrintStream;
import java.util.function.IntConsumer;

/**
 * Runs one step {@code warmup + cycles} times, timing each measured step and sampling resident
 * memory after it, and prints the result as {@code soak <name> ...} lines.
 *
 * @param name     scenario name in the output
 * @param warmup   unmeasured steps first
 * @param cycles   measured steps
 * @param limitMb  the largest allowed growth of resident memory after warm-up, in MB
 */
record SoakRun(String name, int warmup, int cycles, long limitMb) {

    /** What a run measured. */
    record Result(Timing timing, ResidentMemory memory) {
    }

    /** Runs {@code step} with the step number; prints timing and memory lines. */
    Result run(IntConsumer step, PrintStream out) {
        for (int i = 0; i < warmup; i++) {
            step.accept(i);
        }
        ResidentMemory memory = new ResidentMemory();
        memory.markWarm();
        double[] ms = new double[cycles];
        for (int i = 0; i < cycles; i++) {
            long start = System.nanoTime();
            step.accept(warmup + i);
            ms[i] = (System.nanoTime() - start) / 1e6;
            memory.sample();
        }
        memory.markEnd();
        Timing timing = Timing.of(ms);
        out.println("soak " + name + " ms_per_cycle " + timing.format());
        out.println("soak " + name + " " + memory.format());
        return new Result(timing, memory);
    }

    /**
     * Prints the verdict line.
     *
     * @param extraOk  a further condition (e.g. parameters bit-identical), already printed by the caller
     * @return true when the retained memory grew less than the limit and {@code extraOk} holds
     */
    boolean verdict(Result result, boolean extraOk, PrintStream out) {
        long growthMb = ResidentMemory.mb(result.memory().retainedGrowth());
        boolean ok = growthMb < limitMb && extraOk;
        out.printf("soak %s verdict=%s (resident growth after warm-up, retained after a collection: %d MB, limit %d MB;"
                + " peak growth before it %d MB)%n", name, ok ? "PASS" : "FAIL", growthMb, limitMb,
                ResidentMemory.mb(result.memory().growth()));
        return ok;
    }
}
