package io.github.nola4j.samples.serve;

/** Answers one request: the network's output for a batch of images under one adapter. Thread-safe. */
public interface Predictor extends AutoCloseable {

    /**
     * @param images  n images one after another, n·C·H·W numbers in C, H, W order
     * @param shape   {n, C, H, W}
     * @param adapter a resident adapter's name
     * @return n rows of the network's output, [n][classes]
     * @throws io.github.nola4j.layers.serving.UnknownAdapterException if the adapter is not resident
     * @throws InterruptedException if interrupted while waiting for the answer
     */
    float[][] predict(float[] images, long[] shape, String adapter) throws InterruptedException;

    /**
     * @return the time spent running the network so far, in nanoseconds, summed over the threads running it (a
     *         batch's time, or the time a request held the lock)
     */
    long busyNanos();

    /** @return the network runs so far: batches, or requests */
    long runs();

    /** Stops any threads; requests after this fail. */
    @Override
    void close();
}
