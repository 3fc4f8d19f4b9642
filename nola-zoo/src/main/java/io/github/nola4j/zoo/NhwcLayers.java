package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

import java.util.Arrays;

/**
 * One layer configuration of a network that {@link NhwcRebuild} moves to NHWC activations: which layers switch
 * ({@code ConvolutionLayer}, {@code SubsamplingLayer}, {@code ZeroPaddingLayer} and {@code BatchNormalization} to
 * {@code CNN2DFormat.NHWC}; {@code GlobalPoolingLayer} pools dimensions 1 and 2; activation and dropout layers
 * are layout-free), where a layout permute goes ({@link ActivationPermute}), and a clear error for every layer
 * on convolutional activations that cannot run on NHWC ones.
 */
final class NhwcLayers {

    /** What a layer reads or writes. */
    enum Kind {
        /** [mb, n] activations (or anything not convolutional): left as they are */
        FEED_FORWARD,
        /** the user's NCHW network input, not yet permuted */
        NCHW_INPUT,
        /** [mb, h, w, c] activations inside the rebuilt network */
        NHWC
    }

    /** A layer's input preprocessor after the rebuild and the kind of activation the layer then reads. */
    record Input(InputPreProcessor preProcessor, Kind kind) {
    }

    private NhwcLayers() {
    }

    /** @return true for the layers that read convolutional activations only (convolution, pooling, zero padding) */
    static boolean isConvolutionOnly(Layer layer) {
        Class<?> c = layer.getClass();
        return c == ConvolutionLayer.class || c == SubsamplingLayer.class || c == ZeroPaddingLayer.class
                || c == GlobalPoolingLayer.class;
    }

    /**
     * @param existing the layer's input preprocessor in the source network, or null
     * @param kind     what reaches it
     * @return the preprocessor the rebuilt layer takes and what it then reads
     */
    static Input input(InputPreProcessor existing, Kind kind, String name, Layer layer) {
        if (kind == Kind.NCHW_INPUT) {
            if (existing instanceof CnnToFeedForwardPreProcessor) {
                return new Input(existing, Kind.FEED_FORWARD);
            }
            if (existing != null) {
                throw refuse(name, layer, "reads the network's input through " + existing);
            }
            return new Input(new ActivationPermute(CNN2DFormat.NCHW, CNN2DFormat.NHWC), Kind.NHWC);
        }
        if (kind == Kind.NHWC) {
            if (existing == null) {
                return new Input(null, Kind.NHWC);
            }
            if (existing instanceof CnnToFeedForwardPreProcessor flatten && flatten.getFormat() == CNN2DFormat.NCHW) {
                return new Input(new ComposableInputPreProcessor(
                        new ActivationPermute(CNN2DFormat.NHWC, CNN2DFormat.NCHW), existing), Kind.FEED_FORWARD);
            }
            throw refuse(name, layer, "reads convolutional activations through " + existing);
        }
        if (existing instanceof FeedForwardToCnnPreProcessor) {
            return new Input(new ComposableInputPreProcessor(existing,
                    new ActivationPermute(CNN2DFormat.NCHW, CNN2DFormat.NHWC)), Kind.NHWC);
        }
        return new Input(existing, Kind.FEED_FORWARD);
    }

    /**
     * Switches {@code layer} (a copy the rebuild owns) to NHWC where it reads NHWC activations.
     *
     * @return the kind of activation the layer writes
     * @throws IllegalArgumentException for a layer on convolutional activations that cannot run on NHWC ones
     */
    static Kind convert(Layer layer, Kind in, String name) {
        if (in != Kind.NHWC) {
            if (isConvolutionOnly(layer)) {
                throw refuse(name, layer, "reads activations whose layout the rebuild could not follow (its input"
                        + " comes through a layer or vertex it does not know)");
            }
            return Kind.FEED_FORWARD;
        }
        if (layer.getClass() == ConvolutionLayer.class) {
            ((ConvolutionLayer) layer).setCnn2dDataFormat(CNN2DFormat.NHWC);
        } else if (layer.getClass() == SubsamplingLayer.class) {
            ((SubsamplingLayer) layer).setCnn2dDataFormat(CNN2DFormat.NHWC);
        } else if (layer.getClass() == ZeroPaddingLayer.class) {
            ((ZeroPaddingLayer) layer).setDataFormat(CNN2DFormat.NHWC);
        } else if (layer.getClass() == BatchNormalization.class) {
            ((BatchNormalization) layer).setCnn2DFormat(CNN2DFormat.NHWC);
        } else if (layer.getClass() == GlobalPoolingLayer.class) {
            GlobalPoolingLayer pooling = (GlobalPoolingLayer) layer;
            int[] dims = pooling.getPoolingDimensions();
            if (!pooling.isCollapseDimensions() || (dims != null && !Arrays.equals(dims, new int[] {2, 3}))) {
                throw refuse(name, layer, "pools dimensions " + Arrays.toString(dims) + " with collapseDimensions "
                        + pooling.isCollapseDimensions() + " (only the spatial dimensions, collapsed, are supported)");
            }
            pooling.setPoolingDimensions(new int[] {1, 2});
            return Kind.FEED_FORWARD;
        } else if (layer.getClass() != ActivationLayer.class && layer.getClass() != DropoutLayer.class) {
            throw refuse(name, layer, "reads convolutional activations and has no NHWC form here");
        }
        return Kind.NHWC;
    }

    /** @return the error for a layer or vertex the rebuild cannot move to NHWC */
    static IllegalArgumentException refuse(String name, Object layer, String reason) {
        return new IllegalArgumentException("activationDataFormat(CNN2DFormat.NHWC): \"" + name + "\" ("
                + layer.getClass().getSimpleName() + ") " + reason + "; leave this network in NCHW (drop "
                + "activationDataFormat(..) or pass CNN2DFormat.NCHW, the default)");
    }
}
