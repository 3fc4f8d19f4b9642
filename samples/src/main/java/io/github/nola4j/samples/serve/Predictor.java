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

    /** Stops any threads; requests after this fail. */
    @Override
    void close();
}
