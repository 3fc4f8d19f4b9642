package io.github.nola4j.layers.merge;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The plain DL4J layer a low-rank (NOLA or LoRA) layer merges into: a dense one becomes a
 * {@link DenseLayer}, a convolution a {@link ConvolutionLayer}, with the same sizes, activation,
 * bias, name, dropout and convolution settings.
 */
public final class PlainLayers {

    private PlainLayers() {
    }

    /** @return the DL4J layer config that {@code layer} merges into */
    public static Layer configOf(LowRankLayer layer) {
        Activation activation = layer.getActivation() == null ? Activation.SIGMOID : layer.getActivation();
        IUpdater updater = layer.getUpdater() == null ? new NoOp() : layer.getUpdater();
        if (layer.shape() instanceof ConvOperation conv) {
            return new ConvolutionLayer.Builder(conv.getKernelSize())
                    .stride(conv.getStride()).padding(conv.getPadding()).dilation(conv.getDilation())
                    .convolutionMode(conv.getConvolutionMode()).dataFormat(conv.getDataFormat())
                    .nIn(layer.getNIn()).nOut(layer.getNOut()).hasBias(layer.hasBias()).activation(activation)
                    .weightInit(WeightInit.XAVIER).updater(updater).dropOut(layer.getIDropout())
                    .name(layer.getLayerName()).build();
        }
        return new DenseLayer.Builder()
                .nIn(layer.getNIn()).nOut(layer.getNOut()).hasBias(layer.hasBias()).activation(activation)
                .weightInit(WeightInit.XAVIER).updater(updater).dropOut(layer.getIDropout())
                .name(layer.getLayerName()).build();
    }
}
