package io.github.nola4j.zoo;

import io.github.nola4j.layers.LoraConv2d;
import io.github.nola4j.layers.LoraDense;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.attention.AttentionAdapter;
import io.github.nola4j.layers.attention.AttentionProjection;
import io.github.nola4j.layers.attention.LoraAttention;
import io.github.nola4j.layers.attention.NolaAttention;
import io.github.nola4j.layers.ops.ActivationMapping;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the NOLA (or, by {@link AdapterSpec#kind()}, LoRA) layer that replaces a DL4J {@link DenseLayer} or
 * {@link ConvolutionLayer}, or the {@link NolaAttention} (LoRA: {@link LoraAttention}) around one of DL4J's attention layers: same
 * name, nIn, nOut, activation, bias, kernel, stride, padding, dilation and convolution mode, so
 * that with the pretrained W and b copied in and β = 0 it computes exactly what the original did.
 *
 * <p>α and β train with the {@link FineTuneConfiguration}'s updater when set, else with the original
 * layer's. They get the fine-tune configuration's l1, l2 and weight decay when it sets any, and none
 * otherwise: the original's regularisers were chosen for W, and on coefficients they only pull α
 * toward 0 (the official NOLA runs use no weight decay); {@link #regularizationLeftOff} names them.
 * The original's gradient normalisation and dropout carry over.
 * Constraints and weight noise do not (they would act on the frozen W).
 */
final class NolaLayerFactory {

    private NolaLayerFactory() {
    }

    /**
     * @param original a layer for which {@link LayerKind#whyNotAdaptable} is empty
     * @param spec     NOLA hyper-parameters
     * @param fineTune optional fine-tune configuration (may be null)
     */
    static Layer create(Layer original, AdapterSpec spec, FineTuneConfiguration fineTune) {
        if (original instanceof SameDiffLayer attention) {
            return attention(attention, spec, fineTune);
        }
        BaseLayer base = (BaseLayer) original;
        LowRankLayer.Builder<?> builder = spec.kind() == AdapterKind.LORA ? loraBuilder(original, spec)
                : nolaBuilder(original, spec);
        builder.rank(spec.rank()).scale(spec.scale())
                .activation(ActivationMapping.toEnum(base.getActivationFn(), original.getLayerName()))
                .updater(updater(original.getLayerName(), base.getIUpdater(), fineTune)).name(original.getLayerName());
        if (base.getIDropout() != null) {
            builder.dropOut(base.getIDropout().clone());
        }
        LowRankLayer layer = (LowRankLayer) builder.build();
        layer.setRegularization(regularization(fineTune));
        layer.setRegularizationBias(new ArrayList<>());
        layer.setGradientNormalization(base.getGradientNormalization());
        layer.setGradientNormalizationThreshold(base.getGradientNormalizationThreshold());
        return layer;
    }

    private static AttentionAdapter attention(SameDiffLayer original, AdapterSpec spec, FineTuneConfiguration fineTune) {
        AttentionProjection[] projections = spec.attentionProjections().toArray(AttentionProjection[]::new);
        IUpdater updater = updater(original.getLayerName(), original.getUpdater(), fineTune);
        AttentionAdapter layer = spec.kind() == AdapterKind.LORA
                ? new LoraAttention.Builder(original).projections(projections).rank(spec.rank())
                .basisSeed(spec.basisSeed()).scale(spec.scale()).updater(updater).build()
                : new NolaAttention.Builder(original).projections(projections).rank(spec.rank())
                .numBases(spec.numBasesA(), spec.numBasesB()).basisSeed(spec.basisSeed()).scale(spec.scale())
                .quantizationBits(spec.quantizationBits()).updater(updater).build();
        layer.setRegularization(regularization(fineTune));
        layer.setRegularizationBias(new ArrayList<>());
        layer.setGradientNormalization(original.getGradientNormalization());
        layer.setGradientNormalizationThreshold(original.getGradientNormalizationThreshold());
        return layer;
    }

    private static NolaLayer.Builder<?> nolaBuilder(Layer original, AdapterSpec spec) {
        NolaLayer.Builder<?> builder;
        if (original instanceof ConvolutionLayer conv) {
            NolaConv2d.Builder b = new NolaConv2d.Builder().kernelSize(conv.getKernelSize()).stride(conv.getStride())
                    .padding(conv.getPadding()).dilation(conv.getDilation())
                    .convolutionMode(conv.getConvolutionMode()).dataFormat(conv.getCnn2dDataFormat());
            b.nIn(conv.getNIn()).nOut(conv.getNOut()).hasBias(conv.hasBias());
            builder = b;
        } else {
            DenseLayer dense = (DenseLayer) original;
            builder = new NolaDense.Builder().nIn(dense.getNIn()).nOut(dense.getNOut()).hasBias(dense.hasBias());
        }
        return builder.numBasesA(spec.numBasesA()).numBasesB(spec.numBasesB()).basisSeed(spec.basisSeed())
                .quantizationBits(spec.quantizationBits());
    }

    private static io.github.nola4j.layers.LoraLayer.Builder<?> loraBuilder(Layer original, AdapterSpec spec) {
        if (original instanceof ConvolutionLayer conv) {
            LoraConv2d.Builder b = new LoraConv2d.Builder().kernelSize(conv.getKernelSize()).stride(conv.getStride())
                    .padding(conv.getPadding()).dilation(conv.getDilation())
                    .convolutionMode(conv.getConvolutionMode()).dataFormat(conv.getCnn2dDataFormat());
            return b.nIn(conv.getNIn()).nOut(conv.getNOut()).hasBias(conv.hasBias()).initSeed(spec.basisSeed());
        }
        DenseLayer dense = (DenseLayer) original;
        return new LoraDense.Builder().nIn(dense.getNIn()).nOut(dense.getNOut()).hasBias(dense.hasBias())
                .initSeed(spec.basisSeed());
    }

    private static IUpdater updater(String layerName, IUpdater own, FineTuneConfiguration fineTune) {
        IUpdater u = fineTune != null && fineTune.getUpdater() != null ? fineTune.getUpdater() : own;
        if (u == null) {
            throw new IllegalArgumentException("Layer \"" + layerName + "\" has no updater to train its NOLA "
                    + "coefficients with; set one with FineTuneConfiguration.Builder().updater(new Adam(1e-3))");
        }
        return u.clone();
    }

    private static List<Regularization> regularization(FineTuneConfiguration fineTune) {
        List<Regularization> copy = new ArrayList<>();
        if (setsRegularization(fineTune)) {
            fineTune.getRegularization().forEach(r -> copy.add(r.clone()));
        }
        return copy;
    }

    /**
     * @return the regularisers of {@code original}'s weights that its NOLA layer does not copy onto α
     * and β (all of them unless {@code fineTune} sets its own), empty when there are none
     */
    static List<Regularization> regularizationLeftOff(Layer original, FineTuneConfiguration fineTune) {
        List<Regularization> own = original instanceof AbstractSameDiffLayer sd ? sd.getRegularization()
                : ((BaseLayer) original).getRegularization();
        return setsRegularization(fineTune) || own == null ? List.of() : List.copyOf(own);
    }

    private static boolean setsRegularization(FineTuneConfiguration fineTune) {
        return fineTune != null && fineTune.getRegularization() != null && !fineTune.getRegularization().isEmpty();
    }
}
