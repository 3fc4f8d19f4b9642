/**
 * The {@code zoo} command: DL4J's zoo ResNet50 fine-tuned with NOLA on every convolution on
 * upscaled Fashion-MNIST, reporting time per training step and memory, to show NOLA on a large
 * {@code ComputationGraph} rather than the small base CNN of the other commands.
 */
package io.github.nola4j.samples.zoo;
