package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;

/**
 * The convolution options of a builder, shared by {@link NolaConv2d.Builder} and
 * {@link LoraConv2d.Builder}; they write into the builder's {@link ConvOperation}.
 *
 * @param <T> the builder type, returned for chaining
 */
@SuppressWarnings("unchecked")
public interface ConvOptions<T> {

    /** @return the geometry being built */
    ConvOperation geometry();

    /** Kernel height and width. Default 3x3. */
    default T kernelSize(int... kernelSize) {
        geometry().setKernelSize(kernelSize);
        return (T) this;
    }

    /** Stride. Default 1x1. */
    default T stride(int... stride) {
        geometry().setStride(stride);
        return (T) this;
    }

    /** Zero padding (ignored in {@link ConvolutionMode#Same}, as in DL4J). Default 0. */
    default T padding(int... padding) {
        geometry().setPadding(padding);
        return (T) this;
    }

    /** Dilation. Default 1x1. */
    default T dilation(int... dilation) {
        geometry().setDilation(dilation);
        return (T) this;
    }

    /** Same, Truncate or Strict. Default: the network's (Truncate, as DL4J). */
    default T convolutionMode(ConvolutionMode mode) {
        geometry().setConvolutionMode(mode);
        return (T) this;
    }

    /**
     * The activations' layout: {@link CNN2DFormat#NCHW} [mb, c, h, w] (the default) or {@link CNN2DFormat#NHWC}
     * [mb, h, w, c], as DL4J's ConvolutionLayer; the kernel keeps DL4J's layout [nOut, nIn, kH, kW] in both.
     *
     * @throws IllegalArgumentException for null
     */
    default T dataFormat(CNN2DFormat format) {
        geometry().setDataFormat(format);
        return (T) this;
    }
}
