/**
 * The operations and training steps of a low-rank layer, independent of how it is configured:
 * {@link io.github.nola4j.layers.ops.LowRankUpdate} is the one owner of a layer's factors A, s·B
 * and of ΔW = s·A·B in every layout it is used in (training, SameDiff graph, merge in place,
 * merged export, adapter application); {@link io.github.nola4j.layers.ops.LayerOperation} is what
 * a layer computes with its weight ({@link io.github.nola4j.layers.ops.DenseOperation},
 * {@link io.github.nola4j.layers.ops.ConvOperation}, the one libnd4j convolution configuration in
 * {@link io.github.nola4j.layers.ops.Conv2dOps}); {@link io.github.nola4j.layers.ops.TrainingStep}s
 * are one forward and backward pass ({@link io.github.nola4j.layers.ops.TrainingPath},
 * {@link io.github.nola4j.layers.ops.ConvPathRule} choose between them).
 * {@link io.github.nola4j.layers.ops.OptionCheck} is the one check of user options, here because
 * the convolution operation validates its geometry with it.
 * {@link io.github.nola4j.layers.ops.BlasProduct} runs a step's matrix products as one BLAS call each.
 * {@link io.github.nola4j.layers.ops.ParameterSnapshot} tells whether a parameter still holds the bits
 * something kept was made from (an inference form's coefficients, frozen BatchNorm's constants).
 *
 * <p>Imports nothing else of nola4j: the layer configurations build on this package.
 */
package io.github.nola4j.layers.ops;
