package io.github.nola4j.samples.serve;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The threads one native op of ND4J may use, limited while a batching server runs and restored when it stops:
 * libnd4j's own loops ({@code Environment} max threads and master threads), OpenBLAS's products, and GNU OpenMP's
 * team size for each batch thread ({@link #limitCallingThread}, a per-thread setting in OpenMP). With one batch
 * thread per core the batch threads are the parallelism; an op on a batch of a few small images split over two
 * OpenMP threads mostly woke and put to sleep its helper (futex calls from OpenMP were much of the batch
 * threads' kernel time in a {@code perf} recording of the samples CNN's load test). The libnd4j and OpenBLAS settings
 * are the process's: with two batching servers in one process, the first to stop restores them for both.
 */
final class OpThreads implements AutoCloseable {

    private final int threads;
    private final int maxThreads;
    private final int masterThreads;
    private final int blasThreads;

    private OpThreads(int threads) {
        this.threads = threads;
        this.maxThreads = Nd4j.getEnvironment().maxThreads();
        this.masterThreads = Nd4j.getEnvironment().maxMasterThreads();
        this.blasThreads = Nd4j.factory().blas().getMaxThreads();
        if (threads > 0) {
            set(threads, threads, threads);
        }
    }

    /**
     * @param threads the most threads one op uses from now until {@link #close}; 0 leaves ND4J's settings as they are
     */
    static OpThreads limit(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("op threads = " + threads + " is negative; pass 0 to keep ND4J's own"
                    + " setting or a count of at least 1");
        }
        return new OpThreads(threads);
    }

    /** Sets the calling thread's OpenMP team size to the limit (OpenMP keeps it per thread); nothing when 0. */
    void limitCallingThread() {
        if (threads > 0) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        }
    }

    /** @return the limit, 0 for none */
    int threads() {
        return threads;
    }

    private static void set(int max, int master, int blas) {
        Nd4j.getEnvironment().setMaxThreads(max);
        Nd4j.getEnvironment().setMaxMasterThreads(master);
        Nd4j.factory().blas().setMaxThreads(blas);
    }

    /** Restores the settings found at {@link #limit}. */
    @Override
    public void close() {
        if (threads > 0) {
            set(maxThreads, masterThreads, blasThreads);
        }
    }
}
