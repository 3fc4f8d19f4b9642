package io.github.nola4j.samples.vit;

import io.github.nola4j.samples.report.Variant;

/**
 * One fine-tuning run of the ViT sample.
 *
 * @param variant      what trains below the new head, and the peak learning rate of the run (head included)
 * @param classes      original class indices of the target task, relabelled 0..n-1 in this order
 * @param shots        training images per class
 * @param steps        Adam steps of {@code batchSize} images
 * @param batchSize    images per step
 * @param warmupSteps  linear warm-up steps before the cosine ({@link WarmupCosine})
 * @param seed         seed of the shots, the new head, the shuffling and the adapter's bases (or LoRA's A)
 */
public record VitRun(Variant variant, int[] classes, int shots, int steps, int batchSize, int warmupSteps, long seed) {

    public static final int DEFAULT_STEPS = 200;
    public static final int DEFAULT_BATCH = 50;
    /** The NOLA ViT recipe's warm-up ({@code --warmup-epochs 0}). */
    public static final int DEFAULT_WARMUP = 0;
}
