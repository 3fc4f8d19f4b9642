/**
 * The base CNN of the reference experiment and its fine-tuning methods (head only, NOLA, LoRA,
 * full), each a {@link io.github.nola4j.zoo.NolaTransfer} of the pretrained base.
 */
package io.github.nola4j.samples.cnn;
