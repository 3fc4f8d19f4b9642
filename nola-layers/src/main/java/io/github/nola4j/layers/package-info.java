/**
 * NOLA layers for Deeplearning4j: {@link io.github.nola4j.layers.NolaDense} and
 * {@link io.github.nola4j.layers.NolaConv2d} add ΔW = s·A·B to a frozen weight, where A and B
 * are mixtures of frozen seeded random bases and only the mixture coefficients train.
 */
package io.github.nola4j.layers;
