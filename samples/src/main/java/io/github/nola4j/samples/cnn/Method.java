package io.github.nola4j.samples.cnn;

import io.github.nola4j.layers.LoraConv2d;
import io.github.nola4j.layers.LoraDense;
import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How fine-tuning treats the adapted layers of the base (the head is always new and trainable).
 *
 * <p>To add a method: add a constant with its CLI name, its reference learning rate and an
 * {@link #adapt} that returns the layer configuration replacing a pretrained convolution or dense
 * layer; {@link AdaptedCnn} copies W and b into it by parameter name.
 */
public enum Method {

    /** NOLA on every adapted layer: only k + l mixture coefficients per layer train. */
    NOLA("nola", "NOLA adapters (k + l coefficients per layer)") {
        /** The reference's rates (3e-2 up to 64 bases, 1e-2 from 256), kept by measurement (README). */
        @Override
        public double defaultLearningRate(AdapterSettings s) {
            return s.numBases() >= 256 ? 1e-2 : 3e-2;
        }

        @Override
        public Layer adapt(FeedForwardLayer pretrained, AdapterSettings s) {
            if (pretrained instanceof ConvolutionLayer c) {
                return new NolaConv2d.Builder().name(c.getLayerName()).nIn(c.getNIn()).nOut(c.getNOut())
                        .kernelSize(c.getKernelSize()).stride(c.getStride()).padding(c.getPadding())
                        .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                        .hasBias(c.hasBias()).activation(c.getActivationFn())
                        .rank(s.rank()).numBasesA(s.numBases()).numBasesB(s.numBases())
                        .basisSeed(s.seed()).scale(s.scale()).quantizationBits(s.quantizationBits()).build();
            }
            if (pretrained instanceof DenseLayer d) {
                return new NolaDense.Builder().name(d.getLayerName()).nIn(d.getNIn()).nOut(d.getNOut())
                        .hasBias(d.hasBias()).activation(d.getActivationFn())
                        .rank(s.rank()).numBasesA(s.numBases()).numBasesB(s.numBases())
                        .basisSeed(s.seed()).scale(s.scale()).quantizationBits(s.quantizationBits()).build();
            }
            throw new IllegalArgumentException("NOLA cannot adapt layer \"" + pretrained.getLayerName() + "\" of type "
                    + pretrained.getClass().getSimpleName() + "; only ConvolutionLayer and DenseLayer are supported");
        }
    },

    /** LoRA on every adapted layer: A [fanIn, r] and B [r, nOut] train, r·(fanIn + nOut) values per layer. */
    LORA("lora", "LoRA adapters (r·(fanIn + nOut) values per layer)") {
        /** The PyTorch reference: rank 1 at 3e-3, rank 4 at 1e-2; rank 2 measured best at 1e-2 too (README). */
        @Override
        public double defaultLearningRate(AdapterSettings s) {
            return s.rank() <= 1 ? 3e-3 : 1e-2;
        }

        @Override
        public Layer adapt(FeedForwardLayer pretrained, AdapterSettings s) {
            if (pretrained instanceof ConvolutionLayer c) {
                return new LoraConv2d.Builder().name(c.getLayerName()).nIn(c.getNIn()).nOut(c.getNOut())
                        .kernelSize(c.getKernelSize()).stride(c.getStride()).padding(c.getPadding())
                        .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                        .hasBias(c.hasBias()).activation(c.getActivationFn())
                        .rank(s.rank()).initSeed(s.seed()).scale(s.scale()).build();
            }
            if (pretrained instanceof DenseLayer d) {
                return new LoraDense.Builder().name(d.getLayerName()).nIn(d.getNIn()).nOut(d.getNOut())
                        .hasBias(d.hasBias()).activation(d.getActivationFn())
                        .rank(s.rank()).initSeed(s.seed()).scale(s.scale()).build();
            }
            throw new IllegalArgumentException("LoRA cannot adapt layer \"" + pretrained.getLayerName() + "\" of type "
                    + pretrained.getClass().getSimpleName() + "; only ConvolutionLayer and DenseLayer are supported");
        }
    },

    /** Base frozen, only the head trains (at the head's learning rate). */
    HEAD("head", "frozen base, new head only") {
        @Override
        public double defaultLearningRate(AdapterSettings s) {
            return io.github.nola4j.samples.train.FinetuneConfig.DEFAULT_HEAD_LR;
        }

        @Override
        public Layer adapt(FeedForwardLayer pretrained, AdapterSettings settings) {
            FrozenLayer frozen = new FrozenLayer(pretrained);
            frozen.setLayerName(pretrained.getLayerName());
            return frozen;
        }
    },

    /** Every parameter trains. */
    FULL("full", "full fine-tuning") {
        @Override
        public double defaultLearningRate(AdapterSettings s) {
            return 3e-3;
        }

        @Override
        public Layer adapt(FeedForwardLayer pretrained, AdapterSettings settings) {
            return pretrained;
        }
    };

    private final String cliName;
    private final String description;

    Method(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    /** @return the learning rate of the PyTorch reference experiment (samples README) for this method */
    public abstract double defaultLearningRate(AdapterSettings settings);

    /** @return whether the method trains low-rank adapters, which take --rank and --scale */
    public boolean isLowRank() {
        return this == NOLA || this == LORA;
    }

    /**
     * @param pretrained a fresh configuration of the pretrained layer (its values are copied later)
     * @return the configuration that replaces it in the fine-tuned network
     */
    public abstract Layer adapt(FeedForwardLayer pretrained, AdapterSettings settings);

    public String cliName() {
        return cliName;
    }

    public String description() {
        return description;
    }

    /** @return the method named {@code name} on the command line */
    public static Method fromCliName(String name) {
        for (Method m : values()) {
            if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method \"" + name + "\"; use one of " + cliNames());
    }

    /** @return the CLI names, e.g. "nola|lora|head|full" */
    public static String cliNames() {
        return Arrays.stream(values()).map(Method::cliName).collect(Collectors.joining("|"));
    }
}
