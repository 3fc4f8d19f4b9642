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
 * served directory and makes it resident, timing each addition (read, validate, decode).
 */
final class AdapterAdder {

    private final Thread thread;
    private final AtomicInteger added = new AtomicInteger();
    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong cpuNanos = new AtomicLong();
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private final boolean active;

    AdapterAdder(AdapterDirectory dir, List<Path> files, int everyMillis) {
        this.active = everyMillis > 0 && !files.isEmpty();
        this.thread = new Thread(() -> {
            for (Path f : files) {
                try {
                    Thread.sleep(everyMillis);
                    Path target = Files.copy(f, dirPath(dir).resolve(f.getFileName()));
                    long cpu0 = CPU.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    dir.add(target);
                    long dt = System.nanoTime() - t0;
                    cpuNanos.addAndGet(CPU.getCurrentThreadCpuTime() - cpu0);
                    added.incrementAndGet();
                    totalNanos.addAndGet(dt);
                    maxNanos.accumulateAndGet(dt, Math::max);
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

    private static Path dirPath(AdapterDirectory dir) {
        return dir.directory();
    }

    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }

    /**
     * @return " adds=N add_mean_ms=.. add_max_ms=.. add_cpu_mean_ms=..", or "" when nothing was added; the CPU time
     *         is the adding thread's own, so wall time beyond it is time spent waiting (for a core, or a lock)
     */
    String summary() {
        int n = added.get();
        return !active || n == 0 ? "" : String.format(" adds=%d add_mean_ms=%.2f add_max_ms=%.2f add_cpu_mean_ms=%.2f",
                n, totalNanos.get() / 1e6 / n, maxNanos.get() / 1e6, cpuNanos.get() / 1e6 / n);
    }
}
