package io.github.nola4j.layers;

import io.github.nola4j.layers.merge.NolaMerge;
import io.github.nola4j.layers.ops.TrainingPath;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NolaConv2d and LoraConv2d configured {@code dataFormat(CNN2DFormat.NHWC)} compute on [mb, h, w, c] input what
 * the NCHW layer computes on the same input permuted: inference output (the kept merged kernel), training output
 * and every gradient, dL/dx included (through the NHWC 1x1 convolution below), on the merged and the factorised
 * training path and on the SameDiff runtime, to 1e-12 in double; a double-precision gradient check; a
 * ModelSerializer round trip keeps the format, and merging exports a plain NHWC ConvolutionLayer.
 */
class NhwcConvLayerTest {

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, false),
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Same, new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}, false),
                Arguments.of(ConvolutionMode.Truncate, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, false),
                Arguments.of(ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, false),
                Arguments.of(ConvolutionMode.Same, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true));
    }

    private static Layer adapted(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                 boolean lora, CNN2DFormat format, LayerRuntime runtime) {
        if (lora) {
            return new LoraConv2d.Builder().kernelSize(kernel).stride(stride).padding(padding).dilation(dilation)
                    .convolutionMode(mode).dataFormat(format).nOut(4).activation(Activation.TANH).rank(2).scale(0.5)
                    .runtime(runtime).build();
        }
        return new NolaConv2d.Builder().kernelSize(kernel).stride(stride).padding(padding).dilation(dilation)
                .convolutionMode(mode).dataFormat(format).nOut(4).activation(Activation.TANH).rank(2).numBasesA(5)
                .numBasesB(4).runtime(runtime).build();
    }

    /** 1x1 convolution → the adapted convolution → global average pooling → softmax output, in {@code format}. */
    static MultiLayerNetwork net(Layer conv, CNN2DFormat format) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).dataFormat(format).activation(Activation.TANH).build())
                .layer(conv)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG)
                        .poolingDimensions(format == CNN2DFormat.NCHW ? new int[] {2, 3} : new int[] {1, 2}).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(7, 5, 2, format)).build());
        net.init();
        String trained = net.getLayer(1).paramTable().containsKey(NolaLayer.BETA_KEY) ? NolaLayer.BETA_KEY
                : LoraLayer.B_KEY;
        LowRankLayerContract.randomise(net.getLayer(1), trained, 8);
        return net;
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        return y.putScalar(0, 0, 1).putScalar(1, 2, 1).putScalar(2, 1, 1);
    }

    private static INDArray nchwInput() {
        Nd4j.getRandom().setSeed(5);
        return Nd4j.rand(DataType.DOUBLE, 3, 2, 7, 5).subi(0.5);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double err = LowRankLayerContract.maxRelativeError(expected, actual);
        assertTrue(expected.amaxNumber().doubleValue() > 0 && err <= 1e-12, what + ": " + err);
    }

    @ParameterizedTest
    @MethodSource("settings")
    void nhwcLayerEqualsNchwLayerOnPermutedInput(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding,
                                                 int[] dilation, boolean lora) {
        INDArray x = nchwInput();
        INDArray xh = x.permute(0, 2, 3, 1).dup('c');
        INDArray y = labels();
        for (LayerRuntime runtime : LayerRuntime.values()) {
            for (TrainingPath path : new TrainingPath[] {TrainingPath.MERGED, TrainingPath.FACTORISED}) {
                String label = (lora ? "LoRA " : "NOLA ") + runtime + " " + path + " " + mode + " k"
                        + Arrays.toString(kernel) + " s" + Arrays.toString(stride);
                MultiLayerNetwork nchw = net(adapted(mode, kernel, stride, padding, dilation, lora, CNN2DFormat.NCHW,
                        runtime), CNN2DFormat.NCHW);
                MultiLayerNetwork nhwc = net(adapted(mode, kernel, stride, padding, dilation, lora, CNN2DFormat.NHWC,
                        runtime), CNN2DFormat.NHWC);
                nhwc.setParams(nchw.params().dup());
                if (runtime == LayerRuntime.DIRECT) {
                    ((DirectLowRankLayer) nchw.getLayer(1)).setTrainingPath(path);
                    ((DirectLowRankLayer) nhwc.getLayer(1)).setTrainingPath(path);
                }
                assertClose(nchw.output(x), nhwc.output(xh), label + ": inference");
                assertClose(nchw.feedForward(x, true).get(2).permute(0, 2, 3, 1), nhwc.feedForward(xh, true).get(2),
                        label + ": training forward");
                assertClose(FactorisedConvPathTest.gradient(nchw, x, y),
                        FactorisedConvPathTest.gradient(nhwc, xh, y), label + ": gradients");
                if (runtime == LayerRuntime.SAMEDIFF) {
                    break; // one path
                }
            }
        }
    }

    @Test
    void nhwcLayerPassesGradientCheck() {
        // 3x3 on libnd4j's conv2d; 1x1 on both training paths through NhwcPointwiseGemm's matrix products
        Object[][] cases = {{false, 3, TrainingPath.FACTORISED}, {true, 3, TrainingPath.FACTORISED},
                {false, 1, TrainingPath.FACTORISED}, {false, 1, TrainingPath.MERGED}};
        for (Object[] c : cases) {
            boolean lora = (Boolean) c[0];
            int k = (Integer) c[1];
            MultiLayerNetwork nhwc = net(adapted(ConvolutionMode.Same, new int[] {k, k}, new int[] {1, 1},
                    new int[] {0, 0}, new int[] {1, 1}, lora, CNN2DFormat.NHWC, LayerRuntime.DIRECT), CNN2DFormat.NHWC);
            ((DirectLowRankLayer) nhwc.getLayer(1)).setTrainingPath((TrainingPath) c[2]);
            INDArray xh = nchwInput().permute(0, 2, 3, 1).dup('c');
            DataType previous = Nd4j.dataType();
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
            try {
                assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(nhwc).input(xh)
                        .labels(labels()).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                        .excludeParams(Set.of("1_W", "1_b", "3_W", "3_b"))
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)), (lora ? "LoRA " : "NOLA ") + k + "x" + k
                        + " " + c[2]);
            } finally {
                Nd4j.setDefaultDataTypes(previous, previous);
            }
        }
    }

    @Test
    void nhwcLayerSavesAndLoadsWithItsFormat() throws IOException {
        MultiLayerNetwork nhwc = net(adapted(ConvolutionMode.Same, new int[] {3, 3}, new int[] {2, 2},
                new int[] {0, 0}, new int[] {1, 1}, false, CNN2DFormat.NHWC, LayerRuntime.DIRECT), CNN2DFormat.NHWC);
        INDArray xh = nchwInput().permute(0, 2, 3, 1).dup('c');
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(nhwc, bytes, false);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        assertEquals(CNN2DFormat.NHWC, ((NolaConv2d) loaded.getLayer(1).conf().getLayer()).shape().getDataFormat());
        assertEquals(nhwc.output(xh), loaded.output(xh));
        MultiLayerNetwork plain = NolaMerge.mergeAndUnload(nhwc);
        assertEquals(CNN2DFormat.NHWC, ((ConvolutionLayer) plain.getLayer(1).conf().getLayer()).getCnn2dDataFormat());
        assertClose(nhwc.output(xh), plain.output(xh), "merged into a plain NHWC ConvolutionLayer");
    }
}
