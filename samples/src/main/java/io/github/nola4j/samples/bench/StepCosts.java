package io.github.nola4j.samples.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each timed step of one case cost besides its wall time, measured so that it does not depend on a
 * quiet machine: the CPU time of the stepping thread (its own work plus any busy-waiting for worker
 * threads, e.g. at an OpenMP barrier), the CPU time of the whole process during the step (the stepping
 * thread plus libnd4j's OpenMP and OpenBLAS's worker threads, spinning or working), the Java heap bytes
 * the stepping thread allocated, and the garbage collections that ran.
 *
 * @param wall       wall time per step, ms
 * @param threadCpu  CPU time of the stepping thread per step, ms
 * @param processCpu CPU time of the process, mean per step, ms (all threads; the JDK reads it in clock ticks,
 *                   10 ms, so only the mean over many steps means anything; a worker still spinning after
 *                   a step is charged to the next step, which may be another case's)
 * @param allocated  Java heap bytes allocated by the stepping thread, mean per step
 * @param collections garbage collections during the timed steps of this case
 */
public record StepCosts(Timing wall, Timing threadCpu, double processCpu, double allocated, long collections) {

    /**
     * {@link Timing#interleaved} with the costs above recorded around every measured step.
     *
     * @return the costs of each case, in the order of {@code cases}
     */
    public static <K> Map<K, StepCosts> interleaved(Map<K, Runnable> cases, int warmup, int runs) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long self = Thread.currentThread().getId();
        List<K> keys = new ArrayList<>(cases.keySet());
        Map<K, double[][]> rows = new LinkedHashMap<>();
        Map<K, long[]> totals = new LinkedHashMap<>(); // allocated bytes, collections, process CPU ns
        keys.forEach(k -> {
            rows.put(k, new double[2][runs]);
            totals.put(k, new long[3]);
        });
        for (int round = 0; round < warmup + runs; round++) {
            for (int j = 0; j < keys.size(); j++) {
                K key = keys.get((round + j) % keys.size());
                long gc = collectionCount();
                long process = os.getProcessCpuTime();
                long cpu = threads.getCurrentThreadCpuTime();
                long bytes = threads.getThreadAllocatedBytes(self);
                long start = System.nanoTime();
                cases.get(key).run();
                long wall = System.nanoTime() - start;
                bytes = threads.getThreadAllocatedBytes(self) - bytes;
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                process = os.getProcessCpuTime() - process;
                if (round >= warmup) {
                    double[][] r = rows.get(key);
                    r[0][round - warmup] = wall / 1e6;
                    r[1][round - warmup] = cpu / 1e6;
                    totals.get(key)[2] += process;
                    totals.get(key)[0] += bytes;
                    totals.get(key)[1] += collectionCount() - gc;
                }
            }
        }
        Map<K, StepCosts> costs = new LinkedHashMap<>();
        rows.forEach((k, r) -> costs.put(k, new StepCosts(Timing.of(r[0]), Timing.of(r[1]),
                totals.get(k)[2] / 1e6 / runs, totals.get(k)[0] / (double) runs, totals.get(k)[1])));
        return costs;
    }

    private static long collectionCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /**
     * @return {@code thread_cpu_ms=<median> (p10 <a>, p90 <b>) process_cpu_ms=<mean per step>
     *         alloc_kb=<mean per step> gc=<count>}
     */
    public String format() {
        return String.format("thread_cpu_ms=%.3f (p10 %.3f, p90 %.3f) process_cpu_ms=%.2f alloc_kb=%.1f gc=%d",
                threadCpu.median(), threadCpu.percentile(10), threadCpu.percentile(90), processCpu, allocated / 1024,
                collections);
    }
}
