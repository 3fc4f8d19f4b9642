package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;

import java.util.List;
import java.util.function.UnaryOperator;

class LoraConv2dTest extends ConvLayerContract {

    @Override
    LowRankLayer.Builder<?> adapted() {
        return new LoraConv2d.Builder().nIn(3).nOut(4).kernelSize(3, 3).stride(2, 1)
                .convolutionMode(ConvolutionMode.Truncate).padding(1, 1)
                .rank(2).initSeed(9).scale(0.5).activation(Activation.TANH).runtime(runtime());
    }

    @Override
    List<String> trainableKeys() {
        return List.of(LoraLayer.A_KEY, LoraLayer.B_KEY);
    }

    @Override
    Layer plain() {
        return new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).stride(2, 1).padding(1, 1)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build();
    }

    @Override
    List<UnaryOperator<LowRankLayer.Builder<?>>> oneFieldChanges() {
        return List.of(b -> b.nOut(5), b -> b.rank(3), b -> ((LoraLayer.Builder<?>) b).initSeed(10),
                b -> ((LoraConv2d.Builder) b).kernelSize(2, 2), b -> ((LoraConv2d.Builder) b).dilation(2, 1),
                b -> ((LoraConv2d.Builder) b).convolutionMode(ConvolutionMode.Same));
    }
}
