/**
 * Swapping NOLA layers into pretrained DL4J networks for parameter-efficient fine-tuning.
 *
 * <p>{@link io.github.nola4j.zoo.NolaTransfer} is the entry point: it takes a
 * {@code MultiLayerNetwork} or {@code ComputationGraph} (for example from a zoo model), replaces
 * the selected dense and convolution layers by {@link io.github.nola4j.layers.NolaDense} and
 * {@link io.github.nola4j.layers.NolaConv2d} with the pretrained W and b copied in, optionally
 * replaces the head, freezes everything else (gradients still flow through frozen layers) and
 * reports a {@link io.github.nola4j.zoo.TrainableSummary}. The input network is never modified.
 */
package io.github.nola4j.zoo;
