package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;

import java.util.List;
import java.util.function.UnaryOperator;

class NolaConv2dTest extends ConvLayerContract {

    @Override
    LowRankLayer.Builder<?> adapted() {
        return new NolaConv2d.Builder().nIn(3).nOut(4).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                .rank(2).numBasesA(6).numBasesB(5).basisSeed(17).scale(0.5).activation(Activation.TANH).runtime(runtime());
    }

    @Override
    List<String> trainableKeys() {
        return List.of("alpha", "beta");
    }

    @Override
    Layer plain() {
        return new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.TANH).build();
    }

    @Override
    List<UnaryOperator<LowRankLayer.Builder<?>>> oneFieldChanges() {
        return List.of(b -> b.nIn(2), b -> b.nOut(5), b -> b.rank(3), b -> ((NolaLayer.Builder<?>) b).numBasesA(8), b -> ((NolaLayer.Builder<?>) b).numBasesB(8),
                b -> ((NolaLayer.Builder<?>) b).basisSeed(18), b -> b.scale(0.25), b -> b.hasBias(false), b -> b.activation(Activation.RELU),
                b -> ((NolaConv2d.Builder) b).kernelSize(2, 3), b -> ((NolaConv2d.Builder) b).stride(2, 1),
                b -> ((NolaConv2d.Builder) b).padding(1, 0), b -> ((NolaConv2d.Builder) b).dilation(1, 2),
                b -> ((NolaConv2d.Builder) b).convolutionMode(ConvolutionMode.Truncate));
    }
}
