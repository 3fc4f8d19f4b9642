package io.github.nola4j.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stride, padding, dilation, bias and every supported ConvolutionMode, against DL4J's ConvolutionLayer. */
class NolaConv2dModesTest {

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Same, new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}, false),
                Arguments.of(ConvolutionMode.Truncate, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Truncate, new int[] {3, 2}, new int[] {1, 1}, new int[] {1, 0}, new int[] {2, 2}, false),
                Arguments.of(ConvolutionMode.Strict, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 2}, true),
                Arguments.of(ConvolutionMode.Strict, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true));
    }

    /** 1x1 convolution 2→2 (tanh) → {@code conv} → softmax output of 3, on 2×7×5 input, NoOp updater. */
    static MultiLayerNetwork net(Layer conv, DataType dt) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(dt)
                .updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.TANH).build())
                .layer(conv)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(7, 5, 2)).build());
        net.init();
        return net;
    }

    @ParameterizedTest
    @MethodSource("settings")
    void matchesConvolutionLayerAndPassesGradientCheck(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding,
                                                        int[] dilation, boolean bias) {
        String label = mode + " k" + Arrays.toString(kernel) + " s" + Arrays.toString(stride) + " p"
                + Arrays.toString(padding) + " d" + Arrays.toString(dilation) + " bias " + bias;
        MultiLayerNetwork plain = net(new ConvolutionLayer.Builder(kernel).stride(stride).padding(padding)
                .dilation(dilation).convolutionMode(mode).nOut(4).hasBias(bias).activation(Activation.TANH).build(),
                DataType.DOUBLE);
        MultiLayerNetwork nola = net(new NolaConv2d.Builder().kernelSize(kernel).stride(stride).padding(padding)
                .dilation(dilation).convolutionMode(mode).nOut(4).hasBias(bias).activation(Activation.TANH)
                .rank(2).numBasesA(5).numBasesB(4).build(), DataType.DOUBLE);
        LowRankLayerContract.copyBase(plain, nola);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 7, 5).subi(0.5);
        INDArray expected = plain.feedForward(x, false).get(2);
        INDArray actual = nola.feedForward(x, false).get(2);
        assertArrayEquals(expected.shape(), actual.shape(), label);
        assertTrue(LowRankLayerContract.maxRelativeError(expected, actual) <= 1e-13, label);

        LowRankLayerContract.randomiseBeta(nola.getLayer(1), 8);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        y.putScalar(0, 0, 1).putScalar(1, 2, 1).putScalar(2, 1, 1);
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(nola).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).excludeParams(Set.of("1_W", "1_b"))
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)), label);
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }
}
