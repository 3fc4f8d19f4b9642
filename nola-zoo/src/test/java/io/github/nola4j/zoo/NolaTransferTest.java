package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.optimize.listeners.CollectScoresListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** NolaTransfer on a small CNN: parity, what trains, frozen BatchNorm, serialisation, summary. */
class NolaTransferTest {

    private static final long[] INPUT = {1, 10, 10};

    private static TransferResult<MultiLayerNetwork> adaptAll(MultiLayerNetwork base) {
        return NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .rank(2).numBases(5, 7).basisSeed(11).scale(0.5).replaceHead(4)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(5e-2)).build())
                .build();
    }

    @Test
    void adaptedNetworkEqualsBaseBeforeTrainingAndReportsWhatItDid() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .rank(2).numBases(5, 7).build();
        assertEquals(List.of("conv1", "conv2", "fc"), r.adaptedLayers());
        MultiLayerNetwork net = r.network();
        assertInstanceOf(NolaConv2d.class, net.getLayer("conv1").conf().getLayer());
        assertInstanceOf(NolaDense.class, net.getLayer("fc").conf().getLayer());
        INDArray x = Fixtures.data(DataType.FLOAT, 5, INPUT, 3, 1).getFeatures();
        List<INDArray> a = base.feedForward(x, false);
        List<INDArray> b = net.feedForward(x, false);
        for (int i = 0; i < a.size(); i++) {
            double diff = a.get(i).sub(b.get(i)).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, "activation " + i + " differs by " + diff);
        }
        TrainableSummary s = r.summary();
        assertEquals(3 * (5 + 7), s.adapterParams());
        assertEquals(s.adapterParams(), s.trainableParams(), "head kept frozen, nothing else trains");
        assertEquals((9 + 4) + (36 + 6) + (54 + 8), s.loraRank1Params());
        assertEquals(4 * 36, s.adapterBytes32());
        assertEquals(3 * (3 + 4 + 4 + 4), s.adapterBytes4());
        assertEquals(net.numParams(), s.totalParams());
        assertTrue(s.toString().contains("trainable params: 36"), s.toString());
    }

    @Test
    void oneFitStepChangesOnlyCoefficientsAndHeadAndNeverTheInput() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        Map<String, INDArray> sourceBefore = Fixtures.snapshot(base.getLayers());
        MultiLayerNetwork net = adaptAll(base).network();
        Fixtures.assertBitIdentical(sourceBefore, Fixtures.snapshot(base.getLayers()), "source after build");

        Map<String, INDArray> before = Fixtures.snapshot(net.getLayers());
        CollectScoresListener scores = new CollectScoresListener(1);
        net.setListeners(scores);
        net.fit(new ListDataSetIterator<>(Fixtures.data(DataType.FLOAT, 12, INPUT, 4, 2).asList(), 12));
        assertEquals(1, scores.getListScore().size(), "listener saw the step");
        Map<String, INDArray> after = Fixtures.snapshot(net.getLayers());
        Set<String> changed = new HashSet<>();
        before.forEach((k, v) -> {
            if (!Fixtures.bitIdentical(v, after.get(k))) {
                changed.add(k);
            }
        });
        // β starts at 0, so dL/dα = 0 at step 0: the first step moves β and the head only
        assertEquals(Set.of("conv1/beta", "conv2/beta", "fc/beta", "out/W", "out/b"), changed,
                "exactly the coefficients and the head move; BatchNorm, W and b do not");
        net.fit(Fixtures.data(DataType.FLOAT, 12, INPUT, 4, 3));
        Map<String, INDArray> second = Fixtures.snapshot(net.getLayers());
        for (String k : List.of("conv1/alpha", "conv2/alpha", "fc/alpha")) {
            assertFalse(Fixtures.bitIdentical(before.get(k), second.get(k)), k + " moves once β is non-zero");
        }
        before.keySet().stream().filter(k -> k.endsWith("/W") && !k.startsWith("out") || k.endsWith("/b")
                        && !k.startsWith("out") || k.startsWith("bn1"))
                .forEach(k -> assertTrue(Fixtures.bitIdentical(before.get(k), second.get(k)), k + " is frozen"));
        Fixtures.assertBitIdentical(sourceBefore, Fixtures.snapshot(base.getLayers()), "source after fit");
    }

    @Test
    void gradientsFlowThroughFrozenLayersExactly() {
        DataType defaultType = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            checkGradientThroughFrozenLayers();
        } finally {
            Nd4j.setDefaultDataTypes(defaultType, defaultType);
        }
    }

    private static void checkGradientThroughFrozenLayers() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.DOUBLE);
        MultiLayerNetwork net = NolaTransfer.of(base).targetNames("conv1").rank(2).numBases(3, 4)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new NoOp()).build()).build()
                .network();
        net.getLayer("conv1").getParam(NolaLayer.BETA_KEY).assign(0.3);
        DataSet d = Fixtures.data(DataType.DOUBLE, 4, INPUT, 3, 3);
        Set<String> frozen = new HashSet<>();
        net.paramTable().keySet().stream().filter(k -> !k.equals("0_alpha") && !k.equals("0_beta")).forEach(frozen::add);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(d.getFeatures())
                .labels(d.getLabels()).excludeParams(frozen).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "α, β of conv1 below frozen BatchNorm, conv2, dense and output get the exact gradient");
    }

    @Test
    void trainableBatchNormLearnsGammaBetaButKeepsRunningStatistics() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(base).targetNames("conv2", "fc").trainable("bn1")
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.1)).build()).build();
        assertEquals(8 + r.summary().adapterParams(), r.summary().trainableParams(), "γ and β of bn1 counted");
        MultiLayerNetwork net = r.network();
        Map<String, INDArray> bn = Fixtures.snapshot(new org.deeplearning4j.nn.api.Layer[] {net.getLayer("bn1")});
        net.fit(Fixtures.data(DataType.FLOAT, 8, INPUT, 3, 4));
        assertTrue(Fixtures.bitIdentical(bn.get("bn1/mean"), net.getLayer("bn1").getParam("mean")));
        assertTrue(Fixtures.bitIdentical(bn.get("bn1/log10stdev"), net.getLayer("bn1").getParam("log10stdev")));
        assertFalse(Fixtures.bitIdentical(bn.get("bn1/gamma"), net.getLayer("bn1").getParam("gamma")));

        MultiLayerNetwork moving = NolaTransfer.of(base).targetNames("conv2").trainable("bn1")
                .freezeBatchNormStatistics(false).build().network();
        moving.fit(Fixtures.data(DataType.FLOAT, 8, INPUT, 3, 4));
        assertFalse(Fixtures.bitIdentical(bn.get("bn1/mean"), moving.getLayer("bn1").getParam("mean")),
                "with freezeBatchNormStatistics(false) the running mean updates");
    }

    @Test
    void savesRestoresAndEvaluates(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = adaptAll(Fixtures.smallCnn(DataType.FLOAT)).network();
        DataSet d = Fixtures.data(DataType.FLOAT, 12, INPUT, 4, 5);
        net.fit(d);
        File file = new File(dir, "nola.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(net.output(d.getFeatures()), restored.output(d.getFeatures()));
        assertEquals(net.params(), restored.params());
        assertInstanceOf(FrozenInferenceLayer.class, restored.getLayerWiseConfigurations().getConf(1).getLayer());
        Map<String, INDArray> frozen = Fixtures.snapshot(new org.deeplearning4j.nn.api.Layer[] {restored.getLayer("bn1")});
        restored.fit(d);
        Fixtures.assertBitIdentical(frozen,
                Fixtures.snapshot(new org.deeplearning4j.nn.api.Layer[] {restored.getLayer("bn1")}), "restored bn1");
        Evaluation e = restored.evaluate(new ListDataSetIterator<>(d.asList(), 4));
        assertEquals(12, e.getNumRowCounter());
    }

    @Test
    void computationGraphWorksTheSame() {
        ComputationGraph base = Fixtures.smallCnnGraph(DataType.FLOAT);
        Map<String, INDArray> sourceBefore = Fixtures.snapshot(base.getLayers());
        TransferResult<ComputationGraph> r = NolaTransfer.of(base).targetMatching("conv.*").targetNames("fc")
                .exclude("conv2").override("fc", s -> s.withRank(3).withNumBases(9, 9)).replaceHead(2).build();
        assertEquals(List.of("conv1", "fc"), r.adaptedLayers());
        assertEquals("out", r.headLayer());
        assertEquals(3, ((NolaLayer) r.network().getLayer("fc").conf().getLayer()).getRank());
        assertEquals(64 + 64 + 9 + 9, r.summary().adapterParams());
        assertEquals(8 * 2 + 2, r.summary().headParams());
        INDArray x = Fixtures.data(DataType.FLOAT, 3, INPUT, 2, 6).getFeatures();
        Map<String, INDArray> a = base.feedForward(x, false);
        Map<String, INDArray> b = r.network().feedForward(x, false);
        assertTrue(a.get("fc").sub(b.get("fc")).amaxNumber().doubleValue() < 1e-5);
        r.network().fit(Fixtures.data(DataType.FLOAT, 6, INPUT, 2, 7));
        assertFalse(r.network().getLayer("fc").getParam(NolaLayer.BETA_KEY).sumNumber().doubleValue() == 0);
        Fixtures.assertBitIdentical(sourceBefore, Fixtures.snapshot(base.getLayers()), "source graph");
    }
}
