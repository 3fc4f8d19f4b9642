package io.github.nola4j.samples.zoo;

/**
 * Settings of one {@code zoo} run.
 *
 * @param classes      target Fashion-MNIST classes; the new head has one output per class
 * @param shots        training images per class
 * @param steps        Adam steps of {@link #BATCH} images
 * @param size         input height and width in pixels; the 28×28 images are upscaled to it
 * @param bases        NOLA bases k = l per convolution
 * @param rank         NOLA rank r; the scale is 1/r
 * @param learningRate Adam learning rate of the coefficients and the head
 * @param seed         seed of the shots, shuffling, head and NOLA bases
 * @param pretrained   start from DL4J's ImageNet weights (downloaded) instead of a random init
 */
public record ZooConfig(int[] classes, int shots, int steps, int size, int bases, int rank, double learningRate,
                        long seed, boolean pretrained) {

    /** Images per training step: ResNet50 at 96×96 takes about a second per step of 8 on 2 cores. */
    public static final int BATCH = 8;
    /** Default --steps. */
    public static final int DEFAULT_STEPS = 30;
    /** Default --size for a random init: the smallest that ResNet50's pooling accepts. */
    public static final int MIN_SIZE = 96;
    /** The only --size of the ImageNet weights: their head's input width is fixed by 224×224 images. */
    public static final int PRETRAINED_SIZE = 224;
    /** Default --lr. */
    public static final double DEFAULT_LR = 1e-2;
    /** First steps left out of the step timing (workspaces and caches warm up in them). */
    public static final int WARMUP_STEPS = 3;
    /**
     * Test images per class in the evaluation (fewer if the data has fewer): 100 for 5 classes,
     * which takes about half a minute on 2 shared cores.
     */
    public static final int TEST_PER_CLASS = 20;
    /** Training images whose statistics become the BatchNorm running statistics of a random init. */
    public static final int CALIBRATION_IMAGES = 16;
    /** Images per forward pass in the evaluation. */
    public static final int EVAL_BATCH = 16;

    public ZooConfig {
        classes = classes.clone();
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    /** @return the NOLA scale s = 1/r */
    public double scale() {
        return 1.0 / rank;
    }
}
