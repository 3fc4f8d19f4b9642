package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Every input a user can get wrong names the value and the fix, and leaves the network unchanged. */
class NolaTransferErrorsTest {

    private final MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
    private final Map<String, INDArray> before = Fixtures.snapshot(base.getLayers());

    private void assertError(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain \"" + f + "\": " + e.getMessage());
        }
        Fixtures.assertBitIdentical(before, Fixtures.snapshot(base.getLayers()), "network after a failed call");
    }

    @Test
    void adapterSpecAfterSingleOptionsIsRefusedNamingThemAndTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> NolaTransfer.of(base).rank(2).numBases(5, 7).rank(3).adapter(AdapterSpec.DEFAULT));
        for (String f : List.of("adapter(spec)", "rank(2), numBases(5, 7), rank(3)",
                "call adapter(spec) first, then rank(..), numBases(..)")) {
            assertTrue(e.getMessage().contains(f), "message should contain \"" + f + "\": " + e.getMessage());
        }
        assertDoesNotThrow(() -> NolaTransfer.of(base).adapter(AdapterSpec.DEFAULT).rank(2).numBases(5, 7),
                "adapter(spec) first, then single options");
    }

    @Test
    void unknownLayerNameListsTheLayers() {
        assertError(() -> NolaTransfer.of(base).targetNames("conv9").build(), "conv9",
                "conv1 (ConvolutionLayer)", "bn1 (BatchNormalization)", "out (OutputLayer)");
        assertError(() -> NolaTransfer.of(base).targetKinds(LayerKind.DENSE).exclude("fcc").build(), "fcc");
        assertError(() -> NolaTransfer.of(base).targetNames("fc").trainable("bn2").build(), "bn2", "bn1");
    }

    @Test
    void frozenUpToAdaptsOnlyLaterLayersAndNamesAWrongLayer() {
        assertEquals(java.util.List.of("conv2", "fc"), NolaTransfer.of(base).frozenUpTo("bn1").build().adaptedLayers());
        assertEquals(java.util.List.of("fc"), NolaTransfer.of(base).frozenUpTo("bn1").targetKinds(LayerKind.DENSE)
                .build().adaptedLayers());
        assertError(() -> NolaTransfer.of(base).frozenUpTo("bn9").build(), "bn9", "conv1 (ConvolutionLayer)");
        assertError(() -> NolaTransfer.of(base).frozenUpTo("conv2").targetNames("conv1").build(), "conv1",
                "frozenUpTo(\"conv2\")", "freeze up to an earlier layer");
        // DL4J's EditLastLayerOthersFrozen: setFeatureExtractor just below the head, a new head
        assertEquals(java.util.List.of(), NolaTransfer.of(base).frozenUpTo("fc").replaceHead(3).build().adaptedLayers());
        assertError(() -> NolaTransfer.of(base).frozenUpTo("fc").build(), "Nothing trains", "replaceHead(numClasses)");
    }

    @Test
    void noMatchListsTheLayersWithTypes() {
        assertError(() -> NolaTransfer.of(base).targetMatching("res.*").build(), "res.*", "No layer matched",
                "conv2 (ConvolutionLayer)");
        assertError(() -> NolaTransfer.of(base).build(), "No NOLA targets", "fc (DenseLayer)");
    }

    @Test
    void badRegexRankScaleAndHead() {
        assertError(() -> NolaTransfer.of(base).targetMatching("conv[").build(), "conv[", "java.util.regex");
        assertError(() -> NolaTransfer.of(base).rank(0), "rank = 0", "must be > 0");
        assertError(() -> NolaTransfer.of(base).numBases(-3, 4), "numBasesA = -3");
        assertError(() -> NolaTransfer.of(base).scale(Double.NaN), "scale = NaN");
        assertError(() -> NolaTransfer.of(base).replaceHead(0), "nOut = 0", "must be > 0");
        assertError(() -> NolaTransfer.of(base).targetNames("fc").replaceHead("bn1", 3).build(), "bn1",
                "cannot be the head");
        assertError(() -> NolaTransfer.of(base).targetNames("fc").trainable("fc").build(), "fc",
                "both a NOLA target and trainable");
    }

    @Test
    void layersThatCannotBeAdaptedAreErrorsByNameAndSkippedByKind() {
        assertError(() -> NolaTransfer.of(base).targetNames("pool").build(), "pool (SubsamplingLayer)",
                "cannot be adapted", "DenseLayer and ConvolutionLayer");
        assertError(() -> NolaTransfer.of(base).targetNames("out").build(), "out (OutputLayer)", "cannot be adapted");

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("nhwc").nOut(4).dataFormat(CNN2DFormat.NHWC).build())
                .layer(new DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(1)
                        .dataFormat(CNN2DFormat.NHWC).build())
                .layer(new ConvolutionLayer.Builder(2, 2).name("causal").nOut(4).dataFormat(CNN2DFormat.NHWC).build())
                .layer(new ConvolutionLayer.Builder(1, 1).name("plain").nOut(4).dataFormat(CNN2DFormat.NHWC).build())
                .layer(new OutputLayer.Builder().name("o").nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2, CNN2DFormat.NHWC)).build();
        MultiLayerNetwork odd = new MultiLayerNetwork(conf);
        odd.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(odd).targetNames("dw").build());
        assertTrue(e.getMessage().contains("DepthwiseConvolution2D") && e.getMessage().contains("variant"), e.getMessage());
        // NHWC convolutions adapt (NolaConv2d takes the layer's data format); by kind the depthwise one is skipped
        TransferResult<MultiLayerNetwork> byKind = NolaTransfer.of(odd).targetKinds(LayerKind.CONVOLUTION).build();
        assertEquals(List.of("nhwc", "causal", "plain"), byKind.adaptedLayers());
        assertTrue(byKind.skipped().containsKey("dw"), byKind.skipped().toString());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8, 8, 2);
        NhwcTransferTest.assertClose(odd.output(x), byKind.network().output(x), 1e-5, "NHWC adapters start at ΔW = 0");

        ConvolutionLayer causal = new ConvolutionLayer.Builder(2, 2).nOut(4).build();
        causal.setConvolutionMode(ConvolutionMode.Causal); // DL4J's builder rejects Causal for 2-D, JSON does not
        assertTrue(LayerKind.whyNotAdaptable(causal).orElseThrow().contains("Causal"));
    }

    @Test
    void skippedByKindIsReportedWhenOthersAdapt() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("c").nOut(4).build())
                .layer(new DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(1).build())
                .layer(new OutputLayer.Builder().name("o").nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(net).targetKinds(LayerKind.CONVOLUTION).build();
        assertEquals(java.util.List.of("c"), r.adaptedLayers());
        assertTrue(r.skipped().get("dw").contains("DepthwiseConvolution2D"), r.skipped().toString());
    }

    /** A new YOLO head with a class count as nOut failed at fit, deep in Yolo2OutputLayer; it is refused at build(). */
    @Test
    void yoloHeadOfTheWrongSizeIsRefusedAtBuild() {
        org.deeplearning4j.nn.graph.ComputationGraph yolo = (org.deeplearning4j.nn.graph.ComputationGraph)
                org.deeplearning4j.zoo.model.TinyYOLO.builder().numClasses(5).inputShape(new int[] {3, 8, 8}).build()
                        .init();
        Map<String, INDArray> yoloBefore = Fixtures.snapshot(yolo.getLayers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(yolo).targetKinds(LayerKind.CONVOLUTION).replaceHead(5).build());
        assertTrue(e.getMessage().contains("Yolo2OutputLayer with 5 anchor boxes")
                && e.getMessage().contains("replaceHead(\"convolution2d_9\", 5 * (5 + numClasses))"), e.getMessage());
        Fixtures.assertBitIdentical(yoloBefore, Fixtures.snapshot(yolo.getLayers()), "TinyYOLO after a refusal");
        assertEquals(1, NolaTransfer.of(yolo).targetKinds(LayerKind.CONVOLUTION).replaceHead(50).build()
                .computationGraph().getNumOutputArrays());
    }
}
