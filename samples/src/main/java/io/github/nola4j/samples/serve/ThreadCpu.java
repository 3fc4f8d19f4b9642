package io.github.nola4j.samples.serve;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where this process's CPU went between two snapshots, by kind of thread: every thread's time on a core and time
 * waiting for one, read from Linux's {@code /proc/self/task/TID/schedstat} (nanoseconds; native threads too, which
 * the JVM cannot see: libnd4j's OpenMP helpers, the JIT compilers, the collector). A native thread carries the name
 * of the thread that created it, so a batch thread's OpenMP helpers count as batch threads. On a system without
 * {@code /proc} every snapshot is empty and {@link #format} says so.
 */
final class ThreadCpu {

    /** One thread's counters. */
    private record Times(String name, long runNanos, long waitNanos) {
    }

    /** The kinds reported, in order, and the thread-name prefixes that make them. */
    private static final Map<String, List<String>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("batch", List.of(BatchingPredictor.THREAD_PREFIX));
        KINDS.put("http", List.of(AdapterServer.THREAD_PREFIX, "HTTP-Dispatcher"));
        KINDS.put("clients", List.of(LoadClients.THREAD_PREFIX, "HttpClient-"));
        KINDS.put("jit", List.of("C1 CompilerThre", "C2 CompilerThre"));
        KINDS.put("gc", List.of("GC Thread", "G1 "));
    }

    private final Map<Long, Times> threads;
    /** Java thread id → {name's kind, bytes of Java heap it has allocated} (HotSpot's per-thread counter). */
    private final Map<Long, Map.Entry<String, Long>> allocated = new HashMap<>();

    private ThreadCpu(Map<Long, Times> threads) {
        this.threads = threads;
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx
                && mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled()) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                long bytes = mx.getThreadAllocatedBytes(t.getId());
                if (bytes >= 0) {
                    allocated.put(t.getId(), Map.entry(kindOf(t.getName()), bytes));
                }
            }
        }
    }

    /** @return every thread's counters now (none without {@code /proc}) */
    static ThreadCpu now() {
        Map<Long, Times> out = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadCpu(out);
        }
        try (Stream<Path> s = Files.list(tasks)) {
            for (Path t : s.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip();
                    String[] f = Files.readString(t.resolve("schedstat")).strip().split(" ");
                    out.put(Long.parseLong(t.getFileName().toString()),
                            new Times(name, Long.parseLong(f[0]), Long.parseLong(f[1])));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading: its time is lost to both snapshots
                }
            }
        } catch (IOException e) {
            return new ThreadCpu(out);
        }
        return new ThreadCpu(out);
    }

    /**
     * @return the calling thread's {time on a core, time runnable but waiting for a core} so far, in nanoseconds;
     *         {0, 0} without {@code /proc}
     */
    static long[] callingThread() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).strip().split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
    }

    private static String kindOf(String name) {
        for (Map.Entry<String, List<String>> k : KINDS.entrySet()) {
            for (String prefix : k.getValue()) {
                if (name.startsWith(prefix)) {
                    return k.getKey();
                }
            }
        }
        return "other";
    }

    /**
     * @param requests answered between the snapshots
     * @param seconds  wall time between them
     * @return "cores_busy=.. cpu_ms_per_request batch=.. http=.. clients=.. jit=.. gc=.. other=.. total=..
     *         core_wait_ms_per_request=.. heap_kb_per_request batch=.. http=.. clients=.. other=..", the CPU since
     *         {@code before} per request by kind of thread, the time threads spent runnable but waiting for a core, and
     *         the Java heap the JVM's threads allocated, per request
     */
    String format(ThreadCpu before, int requests, double seconds) {
        if (threads.isEmpty()) {
            return "cpu=unavailable(no /proc/self/task)";
        }
        Map<String, Long> run = new LinkedHashMap<>();
        KINDS.keySet().forEach(k -> run.put(k, 0L));
        run.put("other", 0L);
        long wait = 0;
        for (Map.Entry<Long, Times> e : threads.entrySet()) {
            Times was = before.threads.get(e.getKey());
            Times t = e.getValue();
            long r = t.runNanos() - (was == null ? 0 : was.runNanos());
            wait += t.waitNanos() - (was == null ? 0 : was.waitNanos());
            run.merge(kindOf(t.name()), r, Long::sum);
        }
        long total = run.values().stream().mapToLong(Long::longValue).sum();
        double n = Math.max(1, requests);
        StringBuilder b = new StringBuilder(String.format("cores_busy=%.2f cpu_ms_per_request", total / 1e9 / seconds));
        run.forEach((k, v) -> b.append(String.format(" %s=%.3f", k, v / 1e6 / n)));
        b.append(String.format(" total=%.3f core_wait_ms_per_request=%.3f", total / 1e6 / n, wait / 1e6 / n));
        if (!allocated.isEmpty()) {   // Java heap allocated per request, the garbage that makes G1 grow its heap
            Map<String, Long> heap = new LinkedHashMap<>();
            List.of("batch", "http", "clients", "other").forEach(k -> heap.put(k, 0L));
            allocated.forEach((id, now) -> {
                Map.Entry<String, Long> was = before.allocated.get(id);
                String kind = heap.containsKey(now.getKey()) ? now.getKey() : "other";
                heap.merge(kind, now.getValue() - (was == null ? 0 : was.getValue()), Long::sum);
            });
            b.append(" heap_kb_per_request");
            heap.forEach((k, v) -> b.append(String.format(" %s=%.1f", k, v / 1024.0 / n)));
        }
        return b.toString();
    }
}
