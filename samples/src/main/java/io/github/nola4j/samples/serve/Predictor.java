package io.github.nola4j.samples.serve;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Answers one request: the network's output for a batch of images under one adapter. Thread-safe. */
public interface Predictor extends AutoCloseable {

    /**
     * @param images  [n, C, H, W]
     * @param adapter a resident adapter's name
     * @return [n, classes]
     * @throws io.github.nola4j.layers.serving.UnknownAdapterException if the adapter is not resident
     * @throws InterruptedException if interrupted while waiting for the answer
     */
    INDArray predict(INDArray images, String adapter) throws InterruptedException;

    /** Stops any threads; requests after this fail. */
    @Override
    void close();
}
