package io.github.nola4j.samples.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adds adapters to a running server while it serves: every {@code everyMillis} it copies the next file into the
 * served directory and makes it resident, timing each addition in two phases, read (the file read and decoded,
 * {@code AdapterFiles.read}) and register (checked against the base, laid out in its flat buffer and published),
 * in wall and in the adding thread's CPU time, and the native (JavaCPP) pointers it keeps (allocations take a lock
 * the requests' allocations take too). An addition builds no factors: the adapter's first request does.
 */
final class AdapterAdder {

    private final Thread thread;
    private final AtomicInteger added = new AtomicInteger();
    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong cpuNanos = new AtomicLong();
    private final AtomicLong readNanos = new AtomicLong();
    private final AtomicLong readCpuNanos = new AtomicLong();
    private final AtomicLong registerCpuNanos = new AtomicLong();
    private final AtomicLong nativeAllocations = new AtomicLong();
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private final boolean active;
    private volatile String slowest = "";

    AdapterAdder(AdapterDirectory dir, List<Path> files, int everyMillis) {
        this.active = everyMillis > 0 && !files.isEmpty();
        this.thread = new Thread(() -> {
            for (Path f : files) {
                try {
                    Thread.sleep(everyMillis);
                    Path target = Files.copy(f, dirPath(dir).resolve(f.getFileName()));
                    long gc0 = collectionMillis();
                    long[] s0 = ThreadCpu.callingThread();
                    long cpu0 = CPU.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    long pointers0 = org.bytedeco.javacpp.Pointer.totalCount();
                    io.github.nola4j.layers.adapter.format.Adapter adapter =
                            io.github.nola4j.layers.adapter.AdapterFiles.read(target);
                    long read = System.nanoTime() - t0;
                    long readCpu = CPU.getCurrentThreadCpuTime() - cpu0;
                    dir.register(target, adapter);
                    long dt = System.nanoTime() - t0;
                    long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
                    // live pointers: the requests' come and go meanwhile
                    nativeAllocations.addAndGet(org.bytedeco.javacpp.Pointer.totalCount() - pointers0);
                    readNanos.addAndGet(read);
                    readCpuNanos.addAndGet(readCpu);
                    registerCpuNanos.addAndGet(cpu - readCpu);
                    long[] s1 = ThreadCpu.callingThread();
                    long gc = collectionMillis() - gc0;
                    cpuNanos.addAndGet(cpu);
                    added.incrementAndGet();
                    totalNanos.addAndGet(dt);
                    if (dt > maxNanos.get()) {
                        maxNanos.set(dt);
                        slowest = String.format(" slowest_add: #%d wall_ms=%.2f cpu_ms=%.2f core_wait_ms=%.2f"
                                + " gc_ms_meanwhile=%d", added.get(), dt / 1e6, cpu / 1e6, (s1[1] - s0[1]) / 1e6, gc);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, "adapter-adder");
        thread.setDaemon(true);
        if (active) {
            thread.start();
        }
    }

    /** @return the collectors' accumulated time (pauses and concurrent work), in milliseconds */
    private static long collectionMillis() {
        long n = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }

    private static Path dirPath(AdapterDirectory dir) {
        return dir.directory();
    }

    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }

    /**
     * @return " adds=N add_mean_ms=.. add_max_ms=.. add_cpu_mean_ms=.. read_mean_ms=.. read_cpu_mean_ms=..
     *         register_cpu_mean_ms=.. native_pointers_kept_per_add=.. slowest_add: #i wall_ms=.. cpu_ms=.. core_wait_ms=..
     *         gc_ms_meanwhile=..", or "" when nothing was added; the CPU time is the adding thread's own, its core wait
     *         the time it was runnable but had no core, and the collectors' time meanwhile what a pause may have
     *         taken; wall time beyond these was spent blocked (a lock, a safepoint, the disk). The native pointers kept
     *         are the change of JavaCPP's count of live pointers across the additions (the requests' count too)
     */
    String summary() {
        int n = added.get();
        return !active || n == 0 ? "" : String.format(" adds=%d add_mean_ms=%.2f add_max_ms=%.2f add_cpu_mean_ms=%.2f"
                        + " read_mean_ms=%.2f read_cpu_mean_ms=%.2f register_cpu_mean_ms=%.2f native_pointers_kept_per_add=%.1f",
                n, totalNanos.get() / 1e6 / n, maxNanos.get() / 1e6, cpuNanos.get() / 1e6 / n, readNanos.get() / 1e6 / n,
                readCpuNanos.get() / 1e6 / n, registerCpuNanos.get() / 1e6 / n, (double) nativeAllocations.get() / n)
                + slowest;
    }
}
