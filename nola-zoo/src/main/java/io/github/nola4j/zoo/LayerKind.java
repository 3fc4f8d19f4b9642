package io.github.nola4j.zoo;

import io.github.nola4j.layers.attention.AdaptableAttention;
import io.github.nola4j.layers.attention.NolaAttention;
import io.github.nola4j.layers.ops.ActivationMapping;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;

import java.util.Optional;

/**
 * The layer types NOLA can adapt, for selection by type, and the check of whether one layer
 * configuration can be replaced exactly.
 *
 * <p>Only the exact classes {@link DenseLayer}, {@link ConvolutionLayer} and DL4J's attention layers with
 * projections are adaptable.
 * Subclasses of ConvolutionLayer (Deconvolution2D, DepthwiseConvolution2D,
 * SeparableConvolution2D, Convolution1DLayer, ...) compute something else with a weight of
 * another layout and are never treated as plain convolutions.
 */
public enum LayerKind {
    /** DL4J {@link DenseLayer}, replaced by {@code NolaDense}. */
    DENSE,
    /** DL4J {@link ConvolutionLayer} (2-D, NCHW or NHWC), replaced by {@code NolaConv2d}. */
    CONVOLUTION,
    /**
     * DL4J's {@link SelfAttentionLayer} and {@link RecurrentAttentionLayer} with projectInput, replaced by a
     * {@link NolaAttention} on the chosen projections ({@link AdapterSpec#attentionProjections()}); the family
     * also holds {@link LearnedSelfAttentionLayer}, which {@link #whyNotAdaptable} rejects.
     */
    ATTENTION;

    /**
     * @return the kind the layer belongs to for selection by type: DENSE for DenseLayer,
     * CONVOLUTION for ConvolutionLayer and every subclass of it (which {@link #whyNotAdaptable}
     * then rejects), empty for every other layer
     */
    public static Optional<LayerKind> familyOf(Layer layer) {
        if (layer instanceof DenseLayer) {
            return Optional.of(DENSE);
        }
        if (layer instanceof ConvolutionLayer) {
            return Optional.of(CONVOLUTION);
        }
        if (layer instanceof SelfAttentionLayer || layer instanceof LearnedSelfAttentionLayer
                || layer instanceof RecurrentAttentionLayer) {
            return Optional.of(ATTENTION);
        }
        return Optional.empty();
    }

    /**
     * @return why {@code layer} cannot be replaced by a NOLA layer with the same output, or empty
     * when it can
     */
    public static Optional<String> whyNotAdaptable(Layer layer) {
        if (familyOf(layer).orElse(null) == ATTENTION) {
            return AdaptableAttention.whyNot(layer);
        }
        Class<?> type = layer.getClass();
        if (type != DenseLayer.class && type != ConvolutionLayer.class) {
            String family = layer instanceof ConvolutionLayer ? " (a ConvolutionLayer variant with another "
                    + "operation and weight layout)" : "";
            return Optional.of("its type " + type.getSimpleName() + family + " cannot be adapted; NOLA adapts "
                    + "DenseLayer and ConvolutionLayer (2-D), and DL4J's SelfAttentionLayer and RecurrentAttentionLayer as "
                    + "LayerKind.ATTENTION");
        }
        if (layer instanceof DenseLayer dense && dense.isHasLayerNorm()) {
            return Optional.of("DenseLayer with layer normalisation (hasLayerNorm = true) is not supported");
        }
        if (layer instanceof ConvolutionLayer conv) {
            ConvolutionMode mode = conv.getConvolutionMode();
            if (mode != null && mode != ConvolutionMode.Same && mode != ConvolutionMode.Truncate
                    && mode != ConvolutionMode.Strict) {
                return Optional.of("convolution mode " + mode + " is not supported; NolaConv2d supports Same, "
                        + "Truncate and Strict");
            }
        }
        BaseLayer base = (BaseLayer) layer;
        try {
            ActivationMapping.toEnum(base.getActivationFn(), layer.getLayerName());
        } catch (IllegalArgumentException e) {
            return Optional.of("activation " + base.getActivationFn() + " has no SameDiff form in NOLA layers");
        }
        if (base.getWeightNoise() != null) {
            return Optional.of("weight noise " + base.getWeightNoise() + " is not supported by NOLA layers");
        }
        return Optional.empty();
    }
}
