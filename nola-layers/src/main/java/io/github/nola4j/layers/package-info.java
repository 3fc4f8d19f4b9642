/**
 * NOLA layers for Deeplearning4j: {@link io.github.nola4j.layers.NolaDense} and
 * {@link io.github.nola4j.layers.NolaConv2d} add ΔW = s·A·B to a frozen weight, where A and B
 * are mixtures of frozen seeded random bases and only the mixture coefficients train
 * ({@link io.github.nola4j.layers.LoraDense} and {@link io.github.nola4j.layers.LoraConv2d} train A and
 * B directly). {@link io.github.nola4j.layers.ops.LowRankUpdate} holds a layer's factors and ΔW in every
 * layout they are used in.
 */
package io.github.nola4j.layers;
