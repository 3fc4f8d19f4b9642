package io.github.nola4j.zoo;

import io.github.nola4j.layers.LoraConv2d;
import io.github.nola4j.layers.LoraDense;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Save, restore from the base and the file alone, LoRA and QAT through NolaTransfer, summaries of any network. */
class AdapterRoundTripTest {

    private static final long[] INPUT = {1, 10, 10};

    @TempDir
    Path dir;

    private static NolaTransfer<MultiLayerNetwork> transfer(MultiLayerNetwork base) {
        return NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .rank(2).numBases(5, 7).basisSeed(11).scale(0.5).replaceHead(4).trainable("bn1")
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(5e-2)).seed(3L).build());
    }

    private static void train(Model net, int steps) {
        DataSet data = Fixtures.data(DataType.FLOAT, 16, INPUT, 4, 5);
        for (int i = 0; i < steps; i++) {
            if (net instanceof MultiLayerNetwork mln) {
                mln.fit(new ListDataSetIterator<>(data.asList(), 8));
            } else {
                ((ComputationGraph) net).fit(new ListDataSetIterator<>(data.asList(), 8));
            }
        }
    }

    private static INDArray output(Model net, INDArray x) {
        return net instanceof MultiLayerNetwork mln ? mln.output(x, false) : ((ComputationGraph) net).outputSingle(false, x);
    }

    @Test
    void savedAdapterRebuildsTheTrainedNetworkFromBaseAndFileAlone() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = transfer(base).build();
        train(r.network(), 3);
        Path file = dir.resolve("task.nola");
        r.saveAdapter(file, "task", WriteOptions.fp32());

        TransferResult<MultiLayerNetwork> again = NolaTransfer.of(base).restore(file);
        INDArray x = Fixtures.data(DataType.FLOAT, 6, INPUT, 4, 9).getFeatures();
        assertEquals(output(r.network(), x), output(again.network(), x), "restored output differs");
        assertEquals(r.headLayer(), again.headLayer());
        assertEquals(List.of("bn1"), again.trainableLayers());
        assertEquals(r.summary(), again.summary());
        assertEquals(r.summary(), TrainableSummary.of(again.network()));
        // every parameter, the head's and bn1's included, is back
        assertEquals(r.network().params(), again.network().params());
        assertTrue(AdapterFiles.readConfigJson(file).contains("\"head\" : \"out\""));
    }

    @Test
    void graphAndModelTypedBaseRoundTripWithQuantisationAwareTraining() throws Exception {
        Model base = Fixtures.smallCnnGraph(DataType.FLOAT);
        TransferResult<Model> r = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION).rank(2).numBases(6, 6)
                .quantizationBits(4).replaceHead(4)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(5e-2)).build()).build();
        ComputationGraph graph = r.computationGraph();
        assertEquals(4, ((NolaLayer) graph.getLayer(r.adaptedLayers().get(0)).conf().getLayer()).getQuantizationBits());
        train(graph, 2);
        Path file = dir.resolve("q4.nola");
        r.saveAdapter(file, WriteOptions.quantized(4));
        TransferResult<Model> again = NolaTransfer.of(base).restore(file);
        assertEquals(4, ((NolaLayer) again.computationGraph().getLayer(r.adaptedLayers().get(0)).conf().getLayer())
                .getQuantizationBits());
        INDArray x = Fixtures.data(DataType.FLOAT, 6, INPUT, 4, 9).getFeatures();
        // QAT's forward pass already uses 4-bit coefficients, so the 4-bit file reproduces it
        INDArray a = output(graph, x);
        INDArray b = output(again.network(), x);
        assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-5, "QAT network and its 4-bit file differ: " + a + b);
        IllegalStateException e = assertThrows(IllegalStateException.class, r::multiLayerNetwork);
        assertTrue(e.getMessage().contains("computationGraph()"), e.getMessage());
    }

    @Test
    void restoreOntoAnotherBaseIsRefusedByTheFingerprint() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = transfer(base).build();
        Path file = dir.resolve("a.nola");
        r.saveAdapter(file, WriteOptions.fp32());
        MultiLayerNetwork other = Fixtures.smallCnn(DataType.FLOAT);
        other.getLayer("conv1").getParam("W").addi(0.1);
        AdapterMismatchException e = assertThrows(AdapterMismatchException.class,
                () -> NolaTransfer.of(other).restore(file));
        assertTrue(e.getMessage().toLowerCase().contains("fingerprint"), e.getMessage());
    }

    @Test
    void savingWithoutATrainedLayerIsAnErrorAndWritesNothing() {
        TransferResult<MultiLayerNetwork> r = transfer(Fixtures.smallCnn(DataType.FLOAT)).build();
        Path file = dir.resolve("no-head.nola");
        AdapterMismatchException e = assertThrows(AdapterMismatchException.class, () -> AdapterFiles.save(
                AdaptedNetwork.of(r.network()), file, "t", List.of("out"), WriteOptions.fp32()));
        assertTrue(e.getMessage().contains("[bn1]"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void restoreNeedsTheSettingsAndRefusesBuilderTargets() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = transfer(base).build();
        Path plain = dir.resolve("plain.nola");
        // a copy of the transfer's network (as ModelSerializer would give back) carries no transfer settings
        AdapterFiles.save(AdaptedNetwork.of(r.network().clone()), plain, "t", List.of("out", "bn1"),
                WriteOptions.fp32());
        AdapterFormatException e = assertThrows(AdapterFormatException.class,
                () -> NolaTransfer.of(base).restore(plain));
        assertTrue(e.getMessage().contains("TransferResult.saveAdapter"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(base).targetNames("fc").restore(plain));
        assertTrue(e2.getMessage().contains("fineTuneConfiguration"), e2.getMessage());
    }

    @Test
    void loraKindBuildsLoraLayersThatStartAtTheBase() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .kind(AdapterKind.LORA).rank(2).scale(0.5).build();
        assertInstanceOf(LoraConv2d.class, r.network().getLayer("conv1").conf().getLayer());
        assertInstanceOf(LoraDense.class, r.network().getLayer("fc").conf().getLayer());
        INDArray x = Fixtures.data(DataType.FLOAT, 5, INPUT, 3, 1).getFeatures();
        assertTrue(base.output(x, false).sub(r.network().output(x, false)).amaxNumber().doubleValue() < 1e-5);
        // LoRA r·(fanIn + nOut): conv1 2·(9 + 4), conv2 2·(36 + 6), fc 2·(fanIn + 8)
        long fcFanIn = ((LoraDense) r.network().getLayer("fc").conf().getLayer()).fanIn();
        assertEquals(2 * (9 + 4) + 2 * (36 + 6) + 2 * (fcFanIn + 8), r.summary().adapterParams());
        // LoRA adapters save like NOLA ones now: OneSavePathTest
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(base).kind(AdapterKind.LORA).quantizationBits(4));
        assertTrue(e.getMessage().contains("quantizationBits = 4"), e.getMessage());
    }

    @Test
    void batchNormCalibrationSetsStatisticsOnACopyAndIsSavedWithTheAdapter() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        INDArray before = base.getLayer("bn1").getParam("mean").dup();
        INDArray features = Fixtures.data(DataType.FLOAT, 32, INPUT, 3, 7).getFeatures();
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(base).targetKinds(LayerKind.DENSE).replaceHead(4)
                .calibrateBatchNorm(features).build();
        assertEquals(before, base.getLayer("bn1").getParam("mean"), "the input network was changed");
        INDArray conv1Out = base.feedForward(features, false).get(1);
        INDArray expected = conv1Out.mean(0, 2, 3).reshape(r.network().getLayer("bn1").getParam("mean").shape());
        assertTrue(expected.sub(r.network().getLayer("bn1").getParam("mean")).amaxNumber().doubleValue() < 1e-5);
        Path file = dir.resolve("cal.nola");
        r.saveAdapter(file, WriteOptions.fp32());
        TransferResult<MultiLayerNetwork> again = NolaTransfer.of(base).restore(file);
        assertEquals(r.network().params(), again.network().params());
        assertEquals(List.of("bn1"), again.settings().calibratedBatchNorm());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(base).calibrateBatchNorm(features.get(org.nd4j.linalg.indexing.NDArrayIndex
                        .interval(0, 1))));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
    }

    @Test
    void summaryOfAnyNetworkCountsWhatTrains() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TrainableSummary plain = TrainableSummary.of(base);
        // bn1's running mean and variance never train
        long bnStats = base.getLayer("bn1").paramTable().entrySet().stream()
                .filter(e -> !e.getKey().equals("gamma") && !e.getKey().equals("beta"))
                .mapToLong(e -> e.getValue().length()).sum();
        assertEquals(8, bnStats, "mean and log-std of 4 channels");
        assertEquals(base.numParams() - bnStats, plain.trainableParams());
        assertEquals(0, plain.adapterParams());
        TransferResult<MultiLayerNetwork> r = transfer(base).build();
        TrainableSummary any = TrainableSummary.of(r.network());
        // the same counts, the head's as the head's: "head: 18" in both, not "other trainable: 18" in one
        assertEquals(r.summary(), any);
        assertEquals(r.network().getLayer("out").numParams(), any.headParams());
        assertThrows(IllegalArgumentException.class, () -> TrainableSummary.of((Model) null));
    }
}
