package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code activationDataFormat(CNN2DFormat.NHWC)} ({@link NhwcRebuild}): the NHWC transfer of a graph with zero
 * padding, BatchNorm, a residual sum, max pooling, a 1x1 strided convolution, global pooling and a flatten into a
 * dense layer, and of a MultiLayerNetwork, computes what the NCHW transfer computes from the same NCHW input
 * (float, 1e-5 of the largest value), before and after training a new head, dense adapters or convolution and
 * dense adapters (NolaConv2d in NHWC), with the frozen
 * parameters bit-identical to the source's; the NHWC network saves and loads with ModelSerializer, its adapter
 * restores into an NHWC (and an NCHW) transfer; layers and vertices it cannot convert are clear errors.
 */
class NhwcTransferTest {

    private static final int STEPS = 3;

    static ComputationGraph residualGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("pad", new ZeroPaddingLayer.Builder(1, 1).build(), "in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.IDENTITY).build(), "pad")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("r1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(), "r1")
                .addLayer("bn2", new BatchNormalization.Builder().build(), "c2")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn2", "r1")
                .addLayer("r2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "sum")
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "r2")
                .addLayer("c3", new ConvolutionLayer.Builder(1, 1).nOut(6).stride(2, 2).activation(Activation.TANH)
                        .build(), "pool")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("fc", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "gap")
                .addLayer("flat", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "pool")
                .addVertex("both", new ElementWiseVertex(ElementWiseVertex.Op.Add), "fc", "flat")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(Fixtures.CLASSES)
                        .activation(Activation.SOFTMAX).build(), "both")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 3)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Nd4j.getRandom().setSeed(4);
        for (String bn : new String[] {"bn1", "bn2"}) { // pretrained-looking statistics, γ and β
            BatchNormStatistics.set(graph.getLayer(bn), Nd4j.randn(DataType.FLOAT, 4).muli(0.3),
                    Nd4j.rand(DataType.FLOAT, 4).addi(0.5));
            graph.getLayer(bn).getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, 1, 4).addi(0.5));
            graph.getLayer(bn).getParam("beta").assign(Nd4j.randn(DataType.FLOAT, 1, 4).muli(0.2));
        }
        return graph;
    }

    private static TransferResult<Model> transfer(Model source, String selection, CNN2DFormat format) {
        NolaTransfer<Model> t = NolaTransfer.of(source).activationDataFormat(format);
        return switch (selection) {
            case "head" -> t.replaceHead(Fixtures.CLASSES).build();
            case "dense" -> t.targetKinds(LayerKind.DENSE).build();
            default -> t.targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE).build();
        };
    }

    private static org.deeplearning4j.nn.api.Layer layerNamed(Model m, String name) {
        return m instanceof MultiLayerNetwork mln ? mln.getLayer(name) : ((ComputationGraph) m).getLayer(name);
    }

    private static INDArray output(Model m, INDArray x) {
        return m instanceof ComputationGraph g ? g.outputSingle(false, x) : ((MultiLayerNetwork) m).output(x, false);
    }

    private static void fit(Model m, DataSet data) {
        Nd4j.getRandom().setSeed(17); // the same dropout masks for both layouts
        if (m instanceof ComputationGraph g) {
            g.fit(data);
        } else {
            ((MultiLayerNetwork) m).fit(data);
        }
    }

    static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(scale > 0 && diff <= tol * scale, what + ": max difference " + diff + " of " + scale);
    }

    private static void assertSameAsNchw(Model source, String selection, long[] inputShape) {
        DataSet data = Fixtures.data(DataType.FLOAT, 6, inputShape, Fixtures.CLASSES, 21);
        Map<String, INDArray> sourceParams = Fixtures.snapshot(Fixtures.layersOf(source));
        TransferResult<Model> nchw = transfer(source, selection, CNN2DFormat.NCHW);
        TransferResult<Model> nhwc = transfer(source, selection, CNN2DFormat.NHWC);
        String json = nhwc.network() instanceof ComputationGraph g ? g.getConfiguration().toJson()
                : ((MultiLayerNetwork) nhwc.network()).getLayerWiseConfigurations().toJson();
        assertTrue(json.contains("NHWC") && json.contains("ActivationPermute"), "rebuilt in NHWC");
        String listing = FrozenRuntimeListing.of(nhwc.network());
        assertEquals(FrozenRuntimeListing.of(nchw.network()), listing, "the same frozen runtimes");
        assertTrue(selection.startsWith("convolution") || listing.matches("frozen layers on libnd4j: \\d+ \\[[^]]*conv[12][^]]*\\];.*")
                || listing.matches("frozen layers on libnd4j: \\d+ \\[[^]]*c1[^]]*\\];.*"), listing);
        if (nchw.headLayer() != null) { // the fresh heads: the same start for both
            layerNamed(nhwc.network(), nhwc.headLayer()).setParams(
                    layerNamed(nchw.network(), nchw.headLayer()).params().dup());
        }
        assertClose(output(nchw.network(), data.getFeatures()), output(nhwc.network(), data.getFeatures()), 1e-5,
                selection + ": before training");
        for (int i = 0; i < STEPS; i++) {
            fit(nchw.network(), data);
            fit(nhwc.network(), data);
        }
        assertClose(output(nchw.network(), data.getFeatures()), output(nhwc.network(), data.getFeatures()), 1e-5,
                selection + ": after " + STEPS + " steps");
        Set<String> trained = new HashSet<>(nhwc.trainableLayers());
        if (nhwc.headLayer() != null) {
            trained.add(nhwc.headLayer());
        }
        Map<String, INDArray> after = Fixtures.snapshot(Fixtures.layersOf(nhwc.network()));
        int frozen = 0;
        for (Map.Entry<String, INDArray> e : sourceParams.entrySet()) {
            String layer = e.getKey().substring(0, e.getKey().indexOf('/'));
            boolean adaptedBias = nhwc.adaptedLayers().contains(layer) && !e.getKey().endsWith("/W");
            if (!trained.contains(layer) && !adaptedBias && after.containsKey(e.getKey())) {
                assertTrue(Fixtures.bitIdentical(e.getValue(), after.get(e.getKey())), e.getKey() + " changed");
                frozen++;
            }
        }
        assertTrue(frozen >= 8, "frozen parameters compared: " + frozen);
        assertFalse(Fixtures.bitIdentical(output(source, data.getFeatures()), output(nhwc.network(),
                data.getFeatures())), selection + ": the NHWC transfer trained");
    }

    @ParameterizedTest
    @ValueSource(strings = {"head", "dense", "convolution and dense"})
    void graphInNhwcComputesAndTrainsAsInNchw(String selection) {
        assertSameAsNchw(residualGraph(), selection, new long[] {3, 8, 8});
    }

    @ParameterizedTest
    @ValueSource(strings = {"head", "dense", "convolution and dense"})
    void multiLayerNetworkInNhwcComputesAndTrainsAsInNchw(String selection) {
        assertSameAsNchw(Fixtures.smallCnn(DataType.FLOAT), selection, new long[] {1, 10, 10});
    }

    @Test
    void nhwcNetworkSavesAndItsAdapterRestores(@TempDir Path dir) throws IOException {
        ComputationGraph source = residualGraph();
        DataSet data = Fixtures.data(DataType.FLOAT, 6, new long[] {3, 8, 8}, Fixtures.CLASSES, 22);
        TransferResult<Model> r = transfer(source, "dense", CNN2DFormat.NHWC);
        for (int i = 0; i < STEPS; i++) {
            fit(r.network(), data);
        }
        INDArray trained = output(r.network(), data.getFeatures());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(r.computationGraph(), bytes, true);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(trained, output(loaded, data.getFeatures()), "ModelSerializer round trip");

        Path file = dir.resolve("nhwc.nola");
        r.saveAdapter(file, WriteOptions.fp32());
        TransferResult<ComputationGraph> again = NolaTransfer.of(source).activationDataFormat(CNN2DFormat.NHWC)
                .restore(file);
        assertEquals(trained, output(again.network(), data.getFeatures()), "restored in NHWC");
        assertClose(trained, output(NolaTransfer.of(source).restore(file).network(), data.getFeatures()), 1e-5,
                "restored in NCHW");
    }

    @Test
    void layersAndVerticesWithoutAnNhwcFormAreClearErrors() {
        ComputationGraph merge = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(2).build(), "in")
                .addLayer("b", new ConvolutionLayer.Builder(3, 3).nOut(2).build(), "in")
                .addVertex("cat", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "cat")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 1)).build());
        merge.init();
        INDArray before = merge.params().dup();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(merge).activationDataFormat(CNN2DFormat.NHWC).replaceHead(2).build());
        assertTrue(e.getMessage().contains("\"cat\" (MergeVertex)") && e.getMessage().contains("NCHW"), e.getMessage());
        assertEquals(before, merge.params(), "the source is untouched");

        MultiLayerNetwork separable = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("c").nOut(2).build())
                .layer(new SeparableConvolution2D.Builder(3, 3).name("sep").nOut(2).build())
                .layer(new OutputLayer.Builder().name("out").nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        separable.init();
        e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(separable).activationDataFormat(CNN2DFormat.NHWC).replaceHead(2).build());
        assertTrue(e.getMessage().contains("\"sep\" (SeparableConvolution2D)"), e.getMessage());
        assertThrows(NullPointerException.class, () -> NolaTransfer.of(separable).activationDataFormat(null));
    }
}
