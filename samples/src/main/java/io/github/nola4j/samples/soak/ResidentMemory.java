package io.github.nola4j.samples.soak;

import org.bytedeco.javacpp.Pointer;

/**
 * Resident memory of the process over a run: the value when warm-up ended, the largest value seen
 * since, and the last one, from JavaCPP's {@link Pointer#physicalBytes()} (the resident set size,
 * Java heap and native memory together). The committed Java heap is kept alongside, so that a
 * growth can be told apart from the collector committing more heap.
 */
final class ResidentMemory {

    private long warm;
    private long peak;
    private long last;
    private long heapWarm;
    private long heapLast;

    /** Records the state at the end of warm-up. */
    void markWarm() {
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

    /** @return the largest resident size seen since warm-up, less the resident size at warm-up, in bytes */
    long growth() {
        return peak - warm;
    }

    /** @return one line: resident MB at warm-up, peak and end, the growth, and the committed heap at both ends */
    String format() {
        return String.format("rss_mb warm=%d peak=%d end=%d growth=%d heap_committed_mb warm=%d end=%d", mb(warm),
                mb(peak), mb(last), mb(growth()), mb(heapWarm), mb(heapLast));
    }

    static long mb(long bytes) {
        return bytes >> 20;
    }
}
