package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.BaseArchitecture;

import java.util.Arrays;

/**
 * Pretraining of a base network on the source task.
 *
 * @param architecture  the network pretrained
 * @param sourceClasses original class indices of the source task, relabelled 0..n-1 in this order
 * @param epochs        passes over the source classes' training images
 * @param batchSize     images per Adam step
 * @param seed          seed of initialisation and shuffling
 */
public record PretrainConfig(BaseArchitecture architecture, int[] sourceClasses, int epochs, int batchSize,
                             long seed) {

    /** The small base CNN. */
    public PretrainConfig(int[] sourceClasses, int epochs, int batchSize, long seed) {
        this(BaseArchitecture.CNN, sourceClasses, epochs, batchSize, seed);
    }

    public static final int[] DEFAULT_SOURCE_CLASSES = {0, 1, 2, 3, 4};
    public static final int DEFAULT_EPOCHS = 3;
    public static final int DEFAULT_BATCH = 64;
    public static final long DEFAULT_SEED = 1;

    public static PretrainConfig defaults() {
        return new PretrainConfig(DEFAULT_SOURCE_CLASSES, DEFAULT_EPOCHS, DEFAULT_BATCH, DEFAULT_SEED);
    }

    /** @return a file name that identifies this configuration on the given data */
    public String fileName(String dataId) {
        String classes = String.join("_", Arrays.stream(sourceClasses).mapToObj(Integer::toString).toList());
        return architecture.filePrefix() + "-" + dataId + "-classes" + classes + "-epochs" + epochs + "-batch"
                + batchSize + "-seed" + seed + ".zip";
    }
}
