package io.github.nola4j.layers.ops;

/**
 * How the direct runtime trains a convolution's update (dense layers always train factored, as
 * {@link DenseOperation} describes).
 * <ul>
 *   <li>{@link #MERGED}: convolve with the kernel W + s·ΔW, take libnd4j's conv2d_bp (input gradient
 *       and the full [nOut, nIn, kH, kW] kernel gradient), project the kernel gradient onto A and B.</li>
 *   <li>{@link #FACTORISED}: z = conv(x, W) + conv1x1(conv_r(x, A), s·B); the backward pass takes
 *       dB from the r-channel activation, dA as the kernel gradient of the r-output convolution and
 *       the input gradient only when it is needed. No full-size kernel gradient, no merged kernel.</li>
 *   <li>{@link #AUTO}: the cheaper of the two by {@link ConvPathRule}.</li>
 * </ul>
 * Inference always convolves once with the merged kernel.
 */
public enum TrainingPath {
    AUTO,
    MERGED,
    FACTORISED
}
