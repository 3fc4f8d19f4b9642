package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frozen ReLU ActivationLayers below the first trainable layer of a graph run on {@link FrozenActivation} and leave
 * every array as DL4J's frozen ActivationLayer leaves it: the {@code feedForward} map (where DL4J's layer writes y
 * over the activations of the layer feeding it, in inference mode), {@code output}, two training steps and a
 * ModelSerializer round trip are bit-identical to the same network with DL4J's FrozenLayer around the
 * ActivationLayers. (A version that always wrote y into a new array left the BatchNorm activations of that map
 * unchanged where DL4J's are overwritten, which ZooModelsTest's ResNet50 last-block selection saw as a difference.)
 */
class FrozenActivationTest {

    private static final List<String> ACTIVATIONS = List.of("stem_act", "a_act");

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void leavesEveryArrayAsDl4jsFrozenActivationLayer(DataType dt) throws Exception {
        ComputationGraph net = NolaTransfer.of(MixedFrozenRuntimesTest.resnetLike(dt)).targetNames("c").rank(2)
                .numBases(5, 7).basisSeed(11).replaceHead(4).build().network();
        ComputationGraph dl4j = withDl4jsFrozenActivations(net);
        for (String name : ACTIVATIONS) {
            assertTrue(net.getLayer(name) instanceof FrozenForwardRuntime f && f.runsOnLibnd4j(), name + " on libnd4j");
            assertFalse(dl4j.getLayer(name) instanceof FrozenForwardRuntime, name + ": the reference runs DL4J's layer");
        }
        assertEquals("frozen layers on libnd4j: 9 [stem, stem_bn, stem_act, a, a_bn, a_act, b, b_bn, fc]; on DL4J's "
                + "layers: 0 []", FrozenRuntimeListing.of(net), "the transfer's listing");
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(dt, 3, 2, 9, 9);

        Map<String, INDArray> want = dl4j.feedForward(x.dup(), false);
        Map<String, INDArray> got = net.feedForward(x.dup(), false);
        assertEquals(want.keySet(), got.keySet());
        want.forEach((name, a) -> assertTrue(Fixtures.bitIdentical(a, got.get(name)), "feedForward: " + name));
        assertSame(got.get("stem_bn"), got.get("stem_act"), "ReLU over the BatchNorm output in place, as DL4J's layer");
        assertTrue(want.get("stem_bn").minNumber().doubleValue() == 0 && dl4j.getLayer("stem_bn").numParams() > 0,
                "DL4J's layer overwrote the BatchNorm activations (so the comparison above can fail)");
        assertTrue(Fixtures.bitIdentical(dl4j.output(x)[0], net.output(x)[0]), "output");

        assertTrainAlike(dl4j, net, new DataSet(x, Nd4j.eye(4).getRows(0, 1, 2).castTo(dt)));

        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(saved(net)), false);
        for (String name : ACTIVATIONS) {
            assertTrue(restored.getLayer(name) instanceof FrozenForwardRuntime f && f.runsOnLibnd4j(),
                    "restored " + name + " on libnd4j");
        }
        assertTrue(Fixtures.bitIdentical(net.output(x)[0], restored.output(x)[0]), "restored output");
    }

    /** In place exactly where DL4J's {@code leverageTo(ACTIVATIONS, x)} returns x; else one pass into a new array. */
    @Test
    void writesOverXExactlyWhereDl4jsLayerDoes() {
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder().build();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder().with(ArrayType.ACTIVATIONS, "RELU_TEST_ACT", conf)
                .with(ArrayType.INPUT, "RELU_TEST_ACT", conf).build();
        INDArray detached = Nd4j.rand(DataType.FLOAT, 2, 3);
        assertTrue(FrozenActivation.leveragedInPlace(detached, mgr), "detached x");
        assertTrue(FrozenActivation.leveragedInPlace(detached, LayerWorkspaceMgr.noWorkspaces()),
                "detached x, no workspaces");
        try (MemoryWorkspace other = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "RELU_TEST_OTHER")) {
            INDArray elsewhere = Nd4j.rand(DataType.FLOAT, 2, 3);
            try (MemoryWorkspace act = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                INDArray inActivations = Nd4j.rand(DataType.FLOAT, 2, 3);
                assertTrue(FrozenActivation.leveragedInPlace(inActivations, mgr), "x in the activations workspace");
                assertFalse(FrozenActivation.leveragedInPlace(elsewhere, mgr), "x in another workspace");
                assertFalse(elsewhere == mgr.leverageTo(ArrayType.ACTIVATIONS, elsewhere), "DL4J copies it");
                assertSame(inActivations, mgr.leverageTo(ArrayType.ACTIVATIONS, inActivations), "DL4J does not");
            }
        }
    }

    /**
     * In a MultiLayerNetwork the ReLU below the first trainable layer, which was DL4J's ActivationLayer itself
     * (its training step copies x first), runs on {@link FrozenActivation} too, with the same activations, output,
     * trained parameters and saved form.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void multiLayerNetworkReluRunsOnLibnd4jAsDl4jsLayer(DataType dt) throws Exception {
        MultiLayerNetwork net = NolaTransfer.of(cnnWithRelu(dt)).targetNames("conv2").rank(2).numBases(5, 7)
                .basisSeed(11).build().network();
        assertTrue(net.getLayer("relu") instanceof FrozenForwardRuntime f && f.runsOnLibnd4j(), "relu on libnd4j");
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        for (NeuralNetConfiguration nnc : conf.getConfs()) {
            if (nnc.getLayer() instanceof FrozenForwardLayer f && f.getLayer() instanceof ActivationLayer a) {
                nnc.setLayer(a.clone());
            }
        }
        MultiLayerNetwork dl4j = new MultiLayerNetwork(conf);
        dl4j.init(net.params().dup(), false);
        assertTrue(dl4j.getLayer("relu") instanceof org.deeplearning4j.nn.layers.ActivationLayer, "DL4J's layer");
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(dt, 3, 2, 6, 6);
        List<INDArray> want = dl4j.feedForward(x.dup(), false);
        List<INDArray> got = net.feedForward(x.dup(), false);
        for (int i = 0; i < want.size(); i++) {
            assertTrue(Fixtures.bitIdentical(want.get(i), got.get(i)), "feedForward " + i);
        }
        assertTrue(Fixtures.bitIdentical(dl4j.output(x), net.output(x)), "output");
        assertTrainAlike(dl4j, net, new DataSet(x, Nd4j.eye(3).castTo(dt)));
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved(net)), false);
        assertTrue(restored.getLayer("relu") instanceof FrozenForwardRuntime f && f.runsOnLibnd4j(), "restored relu");
        assertTrue(Fixtures.bitIdentical(net.output(x), restored.output(x)), "restored output");
    }

    /** A ReLU that reads the user's features (the first layer) stays DL4J's layer, and a step leaves them as they were. */
    @Test
    void firstLayerReluStaysDl4jsLayer() {
        MultiLayerNetwork base = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new ActivationLayer.Builder().name("relu0").activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(5)).build());
        base.init();
        MultiLayerNetwork net = NolaTransfer.of(base).targetNames("dense").rank(2).numBases(5, 7).build().network();
        assertTrue(net.getLayer("relu0") instanceof org.deeplearning4j.nn.layers.ActivationLayer, "DL4J's layer");
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 5);
        INDArray before = x.dup();
        net.fit(new DataSet(x, Nd4j.randn(DataType.DOUBLE, 3, 2)));
        assertTrue(Fixtures.bitIdentical(before, x), "the features after a training step");
    }

    /** conv → bn (running statistics far from 0 and 1) → ReLU ActivationLayer → conv2 → out, on 2x6x6 input. */
    private static MultiLayerNetwork cnnWithRelu(DataType dt) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).dataType(dt)
                .updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(3).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new ActivationLayer.Builder().name("relu").activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2)).build());
        net.init();
        Nd4j.getRandom().setSeed(3);
        BatchNormStatistics.set(net.getLayer("bn"), Nd4j.randn(dt, 1, 3), Nd4j.rand(dt, 1, 3).addi(0.2));
        return net;
    }

    /** Two training steps of each network on {@code data}; their parameters stay bit-identical. */
    private static void assertTrainAlike(NeuralNetwork dl4j, NeuralNetwork net, DataSet data) {
        for (int i = 0; i < 2; i++) {
            dl4j.fit(data);
            net.fit(data);
        }
        assertTrue(Fixtures.bitIdentical(dl4j.params(), net.params()), "trained parameters");
    }

    /** @return {@code net} as ModelSerializer writes it (without updater state) */
    private static byte[] saved(Model net) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, false);
        return bytes.toByteArray();
    }

    /** @return a copy of {@code net} whose frozen ActivationLayers are DL4J's FrozenLayer, same parameters */
    private static ComputationGraph withDl4jsFrozenActivations(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        conf.getVertices().values().forEach(v -> {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenForwardLayer f
                    && f.getLayer() instanceof ActivationLayer) {
                FrozenLayer plain = new FrozenLayer(f.getLayer());
                plain.setLayerName(f.getLayerName());
                lv.getLayerConf().setLayer(plain);
            }
        });
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(net.params().dup(), false);
        return graph;
    }
}
