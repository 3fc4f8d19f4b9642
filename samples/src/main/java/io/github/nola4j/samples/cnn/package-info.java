/**
 * The base networks the samples pretrain ({@link io.github.nola4j.samples.cnn.BaseArchitecture}: the
 * reference experiment's small CNN and DL4J's zoo SimpleCNN) and the fine-tuning methods (head only,
 * NOLA, LoRA, full), each a {@link io.github.nola4j.zoo.NolaTransfer} of the pretrained base.
 */
package io.github.nola4j.samples.cnn;
