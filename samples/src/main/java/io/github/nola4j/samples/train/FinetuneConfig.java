package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.zoo.AdapterSpec;

/**
 * Fine-tuning of a pretrained base on the target task.
 *
 * @param method        how the base's layers are adapted
 * @param classes       original class indices of the target task, relabelled 0..n-1 in this order
 * @param shots         training images per class
 * @param adapter       NOLA and LoRA options (used by {@link Method#NOLA} and {@link Method#LORA})
 * @param steps         Adam steps
 * @param batchSize     images per step
 * @param learningRate  Adam learning rate
 * @param seed          seed of the shots, the head's initialisation and the shuffling
 * @param workers       data-parallel workers (DL4J ParallelWrapper, parameter averaging); 1 = plain fit
 * @param headLearningRate Adam learning rate of the new head, apart from the adapter's so that tuning
 *                      {@code learningRate} measures the adapter alone
 */
public record FinetuneConfig(Method method, int[] classes, int shots, AdapterSpec adapter, int steps,
                             int batchSize, double learningRate, long seed, int workers, double headLearningRate) {

    /** A single-worker configuration, the head at {@link #DEFAULT_HEAD_LR}. */
    public FinetuneConfig(Method method, int[] classes, int shots, AdapterSpec adapter, int steps, int batchSize,
                          double learningRate, long seed) {
        this(method, classes, shots, adapter, steps, batchSize, learningRate, seed, 1, DEFAULT_HEAD_LR);
    }

    /** The head at {@link #DEFAULT_HEAD_LR}. */
    public FinetuneConfig(Method method, int[] classes, int shots, AdapterSpec adapter, int steps, int batchSize,
                          double learningRate, long seed, int workers) {
        this(method, classes, shots, adapter, steps, batchSize, learningRate, seed, workers, DEFAULT_HEAD_LR);
    }

    /** Learning rate of the new head, the reference's. */
    public static final double DEFAULT_HEAD_LR = Method.HEAD_LEARNING_RATE;

    public static final int[] DEFAULT_CLASSES = {5, 6, 7, 8, 9};
    public static final int DEFAULT_SHOTS = 100;
    public static final int DEFAULT_STEPS = 200;
    public static final int DEFAULT_BATCH = 50;
    public static final long DEFAULT_SEED = 1;
}
