package io.github.nola4j.samples.soak;

import org.bytedeco.javacpp.Pointer;

/**
 * Resident memory of the process over a run, from JavaCPP's {@link Pointer#physicalBytes()} (the
 * resident set size, Java heap and native memory together): the value when warm-up ended, the
 * largest value seen since, the last one, and the value retained at the end.
 *
 * <p>DL4J's {@code fit} creates some arrays outside its workspaces every step (its updater and
 * output layer do, with or without adapters); ND4J frees their native memory only once the JVM has
 * collected the small Java objects that own it, which the JVM does on its own schedule. So the peak
 * includes native memory waiting for a collection, and the retained value, measured after a
 * collection at both ends ({@link #markWarm}, {@link #markEnd}), is what a run holds on to: a leak
 * shows there. The committed Java heap is kept alongside.
 */
final class ResidentMemory {

    private long warm;
    private long peak;
    private long last;
    private long heapWarm;
    private long heapLast;
    private long retained;

    /** How long ND4J's deallocator threads get to free the native memory of collected arrays. */
    private static final long FREE_WAIT_MS = 500;

    /** Collects, then records the state at the end of warm-up. */
    void markWarm() {
        collect();
        warm = Pointer.physicalBytes();
        peak = warm;
        last = warm;
        heapWarm = Runtime.getRuntime().totalMemory();
        heapLast = heapWarm;
    }

    /** Takes one sample. */
    void sample() {
        last = Pointer.physicalBytes();
        peak = Math.max(peak, last);
        heapLast = Runtime.getRuntime().totalMemory();
    }

    /** Collects, then records what the run retained. */
    void markEnd() {
        collect();
        retained = Pointer.physicalBytes();
    }

    /** @return the largest resident size seen since warm-up, less the resident size at warm-up, in bytes */
    long growth() {
        return peak - warm;
    }

    /** @return the resident size after the final collection, less the resident size at warm-up, in bytes */
    long retainedGrowth() {
        return retained - warm;
    }

    private static void collect() {
        System.gc();
        try {
            Thread.sleep(FREE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return one line: resident MB at warm-up, peak, end and after the final collection, the peak and
     *         retained growths, and the committed heap at both ends
     */
    String format() {
        return String.format("rss_mb warm=%d peak=%d end=%d collected=%d growth=%d retained_growth=%d "
                        + "heap_committed_mb warm=%d end=%d", mb(warm), mb(peak), mb(last), mb(retained), mb(growth()),
                mb(retainedGrowth()), mb(heapWarm), mb(heapLast));
    }

    static long mb(long bytes) {
        return bytes >> 20;
    }
}
