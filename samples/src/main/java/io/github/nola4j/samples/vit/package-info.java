/**
 * The ViT sample: a small vision transformer built in SameDiff ({@link io.github.nola4j.samples.vit.TinyVit}),
 * pretrained on Fashion-MNIST source classes and cached ({@link io.github.nola4j.samples.vit.VitPretraining}),
 * then transferred to the target classes with a new head by each {@link io.github.nola4j.samples.vit.VitMethod}
 * ({@link io.github.nola4j.samples.vit.VitFinetuning}: NOLA and LoRA through
 * {@code io.github.nola4j.zoo.graph.NolaGraphTransfer}); the {@code vit} command writes the report
 * ({@link io.github.nola4j.samples.vit.VitCommand}).
 */
package io.github.nola4j.samples.vit;
