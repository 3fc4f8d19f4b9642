package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
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
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frozen runtimes' libnd4j computations ({@link FrozenConvolution}, {@link FrozenBatchNorm})
 * equal the DL4J layers they replace: each layer's inference forward pass against DL4J's own
 * layer, the convolutions' and the dense layer's input gradient against DL4J's own backprop, BatchNorm's
 * against dL/dy·γ/√(σ² + eps); float to 1e-6 and double to 1e-12 of the largest reference value.
 * Geometries: Same 3x3 stride 1 (ReLU), Truncate 3x3 stride 2 padding 1 (tanh), Same 1x1 stride 2
 * without bias, Truncate 7x7 stride 2 padding 3 (ResNet50's stem), Same 3x3 stride 2; BatchNorm
 * with and without log-std statistics; a tanh DenseLayer ({@link FrozenDense}); ReLU and leaky ReLU
 * ActivationLayers ({@link FrozenActivation}); the convolutions and BatchNorm in NCHW and in NHWC
 * (DL4J's layers configured {@code dataFormat(CNN2DFormat.NHWC)}, activations [mb, h, w, c]).
 */
class FrozenRuntimeParityTest {

    private static final int CHANNELS = 3;
    private static final int SIZE = 9;
    private static final int MINIBATCH = 2;

    static Stream<Arguments> typesAndFormats() {
        return Stream.of(DataType.FLOAT, DataType.DOUBLE)
                .flatMap(dt -> Stream.of(CNN2DFormat.NCHW, CNN2DFormat.NHWC).map(f -> Arguments.of(dt, f)));
    }

    private static MultiLayerConfiguration layers(DataType dataType, CNN2DFormat format) {
        return new NeuralNetConfiguration.Builder().seed(12).dataType(dataType).updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("same3").nOut(4).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(format).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().name("bn1").dataFormat(format).build())
                .layer(new ActivationLayer.Builder().name("relu").activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("trunc3s2").nOut(5).stride(2, 2).padding(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(format).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(1, 1).name("point_s2").nOut(4).stride(2, 2).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).activation(Activation.IDENTITY).build())
                .layer(new ConvolutionLayer.Builder(7, 7).name("stem").nOut(3).stride(2, 2).padding(3, 3)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(format).activation(Activation.IDENTITY).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("same3s2").nOut(3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).activation(Activation.LEAKYRELU).build())
                .layer(new BatchNormalization.Builder().name("bn2").useLogStd(true).dataFormat(format).build())
                .layer(new ActivationLayer.Builder().name("lrelu").activation(Activation.LEAKYRELU).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, CHANNELS, format)).build();
    }

    /** @return DL4J's network with random BatchNorm statistics, γ and β */
    private static MultiLayerNetwork reference(DataType dataType) {
        return reference(dataType, CNN2DFormat.NCHW);
    }

    private static MultiLayerNetwork reference(DataType dataType, CNN2DFormat format) {
        MultiLayerNetwork net = new MultiLayerNetwork(layers(dataType, format));
        net.init();
        Nd4j.getRandom().setSeed(3);
        for (Layer l : net.getLayers()) {
            if (l instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                long c = BatchNormStatistics.mean(l).length();
                BatchNormStatistics.set(l, Nd4j.randn(dataType, c), Nd4j.rand(dataType, c).addi(0.5));
                l.getParam(BatchNormalizationParamInitializer.GAMMA).assign(Nd4j.rand(dataType, 1, c).addi(0.5));
                l.getParam(BatchNormalizationParamInitializer.BETA).assign(Nd4j.randn(dataType, 1, c));
            }
        }
        return net;
    }

    /** @return the same network, every layer below the output wrapped as {@code frozen} wraps it */
    private static MultiLayerNetwork frozen(MultiLayerNetwork reference, boolean backprop) {
        MultiLayerConfiguration conf = reference.getLayerWiseConfigurations().clone();
        for (int i = 0; i < conf.getConfs().size() - 1; i++) {
            NeuralNetConfiguration nnc = conf.getConf(i);
            org.deeplearning4j.nn.conf.layers.Layer layer = nnc.getLayer();
            nnc.setLayer(layer instanceof ActivationLayer ? backprop ? new FrozenInferenceLayer(layer)
                    : new FrozenForwardLayer(layer) : LayerFreezing.freeze(layer, backprop));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(reference.params().dup(), false);
        return net;
    }

    private static double tolerance(DataType dataType) {
        return dataType == DataType.DOUBLE ? 1e-12 : 1e-6;
    }

    private static void assertClose(INDArray expected, INDArray actual, DataType dataType, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-30);
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance(dataType) * scale, what + ": max difference " + diff + " relative to " + scale);
    }

    @ParameterizedTest
    @MethodSource("typesAndFormats")
    void everyFrozenLayerComputesWhatDl4jsLayerComputes(DataType dataType, CNN2DFormat format) {
        MultiLayerNetwork ref = reference(dataType, format);
        assertEquals(format, ((ConvolutionLayer) ref.getLayer(0).conf().getLayer()).getCnn2dDataFormat());
        ref.initGradientsView(); // DL4J's layers write their parameter gradients into it
        MultiLayerNetwork fast = frozen(ref, true);
        LayerWorkspaceMgr noWs = LayerWorkspaceMgr.noWorkspaces();
        Nd4j.getRandom().setSeed(8);
        INDArray x = format == CNN2DFormat.NCHW ? Nd4j.randn(dataType, MINIBATCH, CHANNELS, SIZE, SIZE)
                : Nd4j.randn(dataType, MINIBATCH, SIZE, SIZE, CHANNELS);
        for (int i = 0; i < ref.getnLayers() - 1; i++) {
            if (ref.getLayerWiseConfigurations().getInputPreProcess(i) != null) {
                x = ref.getLayerWiseConfigurations().getInputPreProcess(i).preProcess(x, MINIBATCH, noWs).dup();
            }
            Layer dl4j = ref.getLayer(i);
            FrozenInferenceRuntime mine = (FrozenInferenceRuntime) fast.getLayer(i);
            String name = dl4j.conf().getLayer().getLayerName();
            assertTrue(mine.runsOnLibnd4j(), name + " should run on libnd4j");
            INDArray expected = dl4j.activate(x.dup(), false, noWs).dup();
            INDArray inInference = mine.activate(x.dup(), false, noWs).dup();
            INDArray input = x.dup();
            INDArray inTraining = mine.activate(input, true, noWs).dup();
            assertClose(expected, inInference, dataType, name + " inference forward");
            assertClose(expected, inTraining, dataType, name + " training forward");

            INDArray eps = Nd4j.randn(dataType, expected.shape());
            INDArray dx = mine.backpropGradient(eps.dup(), noWs).getSecond();
            INDArray expectedDx;
            if (dl4j instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                double e = ((BatchNormalization) dl4j.conf().getLayer()).getEps();
                INDArray factor = Transforms.pow(BatchNormStatistics.variance(dl4j).add(e), -0.5, true)
                        .muli(dl4j.getParam(BatchNormalizationParamInitializer.GAMMA))
                        .reshape(format == CNN2DFormat.NCHW ? new long[] {1, -1, 1, 1} : new long[] {1, 1, 1, -1});
                assertEquals(4, eps.rank(), name);
                expectedDx = eps.mul(factor.broadcast(eps.shape()));
            } else {
                dl4j.setInput(x.dup(), noWs);
                dl4j.activate(true, noWs);
                expectedDx = dl4j.backpropGradient(eps.dup(), noWs).getSecond();
            }
            assertClose(expectedDx, dx, dataType, name + " input gradient");
            x = expected;
        }
    }

    /** Frozen BatchNorm keeps its per-channel constants between calls and reads them again when they change. */
    @Test
    void frozenBatchNormUsesStatisticsSetAgain() {
        MultiLayerNetwork ref = reference(DataType.DOUBLE);
        MultiLayerNetwork fast = frozen(ref, true);
        Nd4j.getRandom().setSeed(10);
        INDArray x = Nd4j.randn(DataType.DOUBLE, MINIBATCH, CHANNELS, SIZE, SIZE);
        assertClose(ref.output(x), fast.output(x), DataType.DOUBLE, "before");
        for (int i = 0; i < ref.getnLayers(); i++) {
            if (ref.getLayer(i) instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
                long c = BatchNormStatistics.mean(bn).length();
                INDArray mean = Nd4j.randn(DataType.DOUBLE, c);
                INDArray variance = Nd4j.rand(DataType.DOUBLE, c).addi(0.2);
                BatchNormStatistics.set(bn, mean, variance);
                BatchNormStatistics.set(((FrozenInferenceRuntime) fast.getLayer(i)).getInsideLayer(), mean, variance);
                ref.getLayer(i).getParam(BatchNormalizationParamInitializer.GAMMA).muli(1.5);
                fast.getLayer(i).getParam(BatchNormalizationParamInitializer.GAMMA).muli(1.5);
            }
        }
        assertClose(ref.output(x), fast.output(x), DataType.DOUBLE, "after the statistics and γ were set again");
    }

    @ParameterizedTest
    @MethodSource("typesAndFormats")
    void networksWithFrozenRuntimesSaveLoadAndPredictAsDl4j(DataType dataType, CNN2DFormat format) throws IOException {
        MultiLayerNetwork ref = reference(dataType, format);
        Nd4j.getRandom().setSeed(9);
        INDArray x = format == CNN2DFormat.NCHW ? Nd4j.randn(dataType, MINIBATCH, CHANNELS, SIZE, SIZE)
                : Nd4j.randn(dataType, MINIBATCH, SIZE, SIZE, CHANNELS);
        INDArray expected = ref.output(x);
        for (boolean backprop : new boolean[] {true, false}) {
            MultiLayerNetwork fast = frozen(ref, backprop);
            assertClose(expected, fast.output(x), dataType, "frozen network, backprop " + backprop);
            assertEquals("frozen layers on libnd4j: 10 [same3, bn1, relu, trunc3s2, point_s2, stem, same3s2, bn2, "
                    + "lrelu, dense]; on DL4J's layers: 0 []", FrozenRuntimeListing.of(fast));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(fast, bytes, false);
            MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(
                    new ByteArrayInputStream(bytes.toByteArray()), false);
            for (int i = 0; i < restored.getnLayers() - 1; i++) {
                Layer l = restored.getLayer(i);
                assertTrue(backprop ? ((FrozenInferenceRuntime) l).runsOnLibnd4j()
                        : ((FrozenForwardRuntime) l).runsOnLibnd4j(), "restored layer " + i + " on libnd4j");
                assertEquals(ref.getLayer(i).paramTable().keySet(), l.paramTable().keySet(), "parameter names");
            }
            assertEquals(ref.params(), restored.params());
            assertClose(expected, restored.output(x), dataType, "restored network, backprop " + backprop);
        }
    }
}
