package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.ConvPathRule;
import io.github.nola4j.layers.ops.TrainingPath;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factorised convolution training path computes what the merged path computes: outputs, every
 * parameter gradient (layer 0's included, so dL/dx too) to 1e-10 in double, for strides, padding,
 * dilation, bias and every ConvolutionMode, NOLA and LoRA; and it passes a gradient check in double.
 */
class FactorisedConvPathTest {

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, true, false),
                Arguments.of(ConvolutionMode.Same, new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}, false, true),
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 2}, true, false),
                Arguments.of(ConvolutionMode.Same, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, false, false),
                Arguments.of(ConvolutionMode.Truncate, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true, true),
                Arguments.of(ConvolutionMode.Truncate, new int[] {3, 2}, new int[] {1, 1}, new int[] {1, 0}, new int[] {2, 2}, false, false),
                Arguments.of(ConvolutionMode.Strict, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 2}, true, false),
                Arguments.of(ConvolutionMode.Strict, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true, true),
                Arguments.of(ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, true, false),
                Arguments.of(ConvolutionMode.Same, new int[] {1, 1}, new int[] {2, 1}, new int[] {0, 0}, new int[] {1, 1}, false, true),
                // strides above the input's size (7x5 to 1x1, as zoo Xception's strided 1x1 on a 1x1 map at 16x16;
                // DL4J's Same mode refuses it on 7x5), and to 1x2
                Arguments.of(ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {8, 6}, new int[] {0, 0}, new int[] {1, 1}, true, false),
                Arguments.of(ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {7, 3}, new int[] {0, 0}, new int[] {1, 1}, false, true));
    }

    private static Layer adapted(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                 boolean bias, boolean lora) {
        if (lora) {
            return new LoraConv2d.Builder().kernelSize(kernel).stride(stride).padding(padding).dilation(dilation)
                    .convolutionMode(mode).nOut(4).hasBias(bias).activation(Activation.TANH).rank(2).scale(0.5)
                    .build();
        }
        return new NolaConv2d.Builder().kernelSize(kernel).stride(stride).padding(padding).dilation(dilation)
                .convolutionMode(mode).nOut(4).hasBias(bias).activation(Activation.TANH).rank(2).numBasesA(5)
                .numBasesB(4).build();
    }

    static MultiLayerNetwork net(Layer conv, TrainingPath path) {
        MultiLayerNetwork net = NolaConv2dModesTest.net(conv, DataType.DOUBLE);
        String trainedKey = net.getLayer(1).paramTable().containsKey(NolaLayer.BETA_KEY) ? NolaLayer.BETA_KEY
                : LoraLayer.B_KEY;
        LowRankLayerContract.randomise(net.getLayer(1), trainedKey, 8);
        ((DirectLowRankLayer) net.getLayer(1)).setTrainingPath(path);
        return net;
    }

    private static INDArray input() {
        Nd4j.getRandom().setSeed(5);
        return Nd4j.rand(DataType.DOUBLE, 3, 2, 7, 5).subi(0.5);
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        return y.putScalar(0, 0, 1).putScalar(1, 2, 1).putScalar(2, 1, 1);
    }

    /** @return the flat gradient of every parameter of {@code net} on the fixed batch */
    static INDArray gradient(MultiLayerNetwork net, INDArray x, INDArray y) {
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.getFlattenedGradients().dup();
    }

    @ParameterizedTest
    @MethodSource("settings")
    void factorisedEqualsMergedAndPassesGradientCheck(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding,
                                                       int[] dilation, boolean bias, boolean lora) {
        String label = (lora ? "LoRA " : "NOLA ") + mode + " k" + Arrays.toString(kernel) + " s"
                + Arrays.toString(stride) + " p" + Arrays.toString(padding) + " d" + Arrays.toString(dilation)
                + " bias " + bias;
        Layer conf = adapted(mode, kernel, stride, padding, dilation, bias, lora);
        MultiLayerNetwork merged = net(conf.clone(), TrainingPath.MERGED);
        MultiLayerNetwork factorised = net(conf.clone(), TrainingPath.FACTORISED);
        assertEquals(merged.params(), factorised.params(), label);
        INDArray x = input();
        INDArray y = labels();

        INDArray trainOutMerged = merged.feedForward(x, true).get(2);
        INDArray trainOutFactorised = factorised.feedForward(x, true).get(2);
        assertTrue(LowRankLayerContract.maxRelativeError(trainOutMerged, trainOutFactorised) <= 1e-10, label);
        INDArray expected = gradient(merged, x, y);
        INDArray actual = gradient(factorised, x, y);
        assertTrue(expected.amaxNumber().doubleValue() > 0, label);
        assertTrue(LowRankLayerContract.maxRelativeError(expected, actual) <= 1e-10,
                label + ": " + LowRankLayerContract.maxRelativeError(expected, actual));

        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(factorised).input(x)
                    .labels(y).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                    .excludeParams(Set.of("1_W", "1_b", "2_W", "2_b")).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)), label);
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void ruleTakesTheCheaperPath() {
        // 3x3 64→64 at r = 4: 3·4·(576 + 64) = 7,680 against 576·64 = 36,864
        assertEquals(TrainingPath.FACTORISED, ConvPathRule.choose(576, 64, 4, 1));
        // with an input gradient that takes a conv2d_bp (stride 2), merged
        assertEquals(TrainingPath.MERGED, ConvPathRule.choose(576, 64, 4, 2));
        // 1x1 64→64 at r = 16: 6,144 against 4,096 with dx, 8,192 without
        assertEquals(TrainingPath.MERGED, ConvPathRule.choose(64, 64, 16, 1));
        assertEquals(TrainingPath.FACTORISED, ConvPathRule.choose(64, 64, 16, 0));
        assertEquals(TrainingPath.MERGED, ConvPathRule.resolve(TrainingPath.MERGED, 576, 64, 4, 1));
    }
}
