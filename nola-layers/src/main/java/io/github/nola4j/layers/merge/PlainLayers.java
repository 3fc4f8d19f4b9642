package io.github.nola4j.layers.merge;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Map;

/**
 * The plain DL4J layer a NOLA layer merges into: {@link NolaDense} becomes a {@link DenseLayer},
 * {@link NolaConv2d} a {@link ConvolutionLayer}, with the same sizes, activation, bias, name,
 * dropout and convolution settings, and the weight W + s·ΔW.
 */
public final class PlainLayers {

    private PlainLayers() {
    }

    /** @return the DL4J layer config that {@code nola} merges into */
    public static Layer configOf(NolaLayer nola) {
        Activation activation = nola.getActivation() == null ? Activation.SIGMOID : nola.getActivation();
        IUpdater updater = nola.getUpdater() == null ? new NoOp() : nola.getUpdater();
        if (nola instanceof NolaConv2d conv) {
            return new ConvolutionLayer.Builder(conv.getKernelSize())
                    .stride(conv.getStride()).padding(conv.getPadding()).dilation(conv.getDilation())
                    .convolutionMode(conv.getConvolutionMode())
                    .nIn(conv.getNIn()).nOut(conv.getNOut()).hasBias(conv.hasBias()).activation(activation)
                    .weightInit(WeightInit.XAVIER).updater(updater).dropOut(nola.getIDropout())
                    .name(nola.getLayerName()).build();
        }
        if (nola instanceof NolaDense) {
            return new DenseLayer.Builder()
                    .nIn(nola.getNIn()).nOut(nola.getNOut()).hasBias(nola.hasBias()).activation(activation)
                    .weightInit(WeightInit.XAVIER).updater(updater).dropOut(nola.getIDropout())
                    .name(nola.getLayerName()).build();
        }
        throw new IllegalArgumentException("Layer \"" + nola.getLayerName() + "\" of type "
                + nola.getClass().getName() + " has no plain DL4J equivalent");
    }

    /**
     * @param nola   the NOLA layer config
     * @param params its parameters (W, b, alpha, beta)
     * @return W + s·ΔW in the plain layer's layout: [nIn, nOut] for dense, [nOut, nIn, kH, kW] for conv
     */
    public static INDArray mergedWeight(NolaLayer nola, Map<String, INDArray> params) {
        INDArray w = params.get(NolaLayer.WEIGHT_KEY);
        INDArray delta = nola.scaledDelta(params); // [fanIn, nOut]
        if (nola instanceof NolaConv2d) {
            delta = delta.transpose().dup('c').reshape('c', w.shape());
        }
        return w.add(delta);
    }
}
