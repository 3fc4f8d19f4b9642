package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterException;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files for another base, another selection, other options, another basis generator, a DL4J network, or a
 * truncated or corrupt file are refused with the layers' typed exceptions, and the graph is left untouched.
 */
class GraphAdapterRefusalTest {

    @TempDir
    Path dir;

    private static GraphTransferResult adapt(SameDiff base) {
        return NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(8, 6).build();
    }

    /** @return a file trained on the mlp base with {@link #adapt} */
    private Path trainedFile() throws Exception {
        GraphTransferResult r = adapt(GraphFixtures.mlp(DataType.FLOAT));
        GraphFixtures.train(r.sameDiff(), GraphFixtures.data(DataType.FLOAT, 12, 4), 5, 5e-2);
        Path file = dir.resolve("a.nola");
        GraphAdapterFiles.save(r, file, "a", WriteOptions.fp32());
        return file;
    }

    /** Asserts that {@code load} throws {@code type} with {@code words} in its message and leaves the graph as it was. */
    private static <E extends AdapterException> E assertRefusedUntouched(Class<E> type, GraphTransferResult graph,
                                                                         Consumer<GraphTransferResult> load,
                                                                         String... words) {
        Map<String, INDArray> before = GraphFixtures.snapshot(graph.sameDiff());
        E e = assertThrows(type, () -> load.accept(graph));
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message lacks \"" + w + "\": " + e.getMessage());
        }
        Map<String, INDArray> after = GraphFixtures.snapshot(graph.sameDiff());
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> GraphFixtures.assertBitIdentical(v, after.get(k), k));
        return e;
    }

    private static Consumer<GraphTransferResult> loading(Path file, LoadOptions options) {
        return g -> {
            try {
                GraphAdapterFiles.load(g, file, options);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    @Test
    void fileForAnotherBaseIsRefusedUnlessAllowed() throws Exception {
        Path file = trainedFile();
        SameDiff other = GraphFixtures.mlp(DataType.FLOAT);
        other.getVariable("w1").getArr().putScalar(0, 0, 0.123);
        GraphTransferResult graph = adapt(other);
        assertRefusedUntouched(AdapterMismatchException.class, graph, loading(file, LoadOptions.STRICT),
                "fingerprint", "ALLOW_DIFFERENT_BASE");
        GraphAdapterFiles.load(graph, file, LoadOptions.ALLOW_DIFFERENT_BASE);
        assertTrue(graph.sameDiff().getVariable("w1/nola/beta").getArr().amaxNumber().doubleValue() > 0);
    }

    @Test
    void fileForAnotherSelectionOrOtherOptionsIsRefused() throws Exception {
        Path file = trainedFile();
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        assertRefusedUntouched(AdapterMismatchException.class,
                NolaGraphTransfer.of(base).targetNames("w0").rank(2).numBases(8, 6).build(),
                loading(file, LoadOptions.STRICT), "w1", "restore");
        assertRefusedUntouched(AdapterMismatchException.class,
                NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(3).numBases(8, 6).build(),
                loading(file, LoadOptions.STRICT), "adapted as");
    }

    @Test
    void anotherBasisGeneratorIsRefused() throws Exception {
        Adapter a = GraphAdapterFiles.read(trainedFile());
        Adapter foreign = new Adapter(a.task(), "other-generator", 1, a.baseFingerprint(), a.layers(),
                a.extraTensors(), a.transferJson());
        assertRefusedUntouched(AdapterMismatchException.class, adapt(GraphFixtures.mlp(DataType.FLOAT)),
                g -> GraphAdapterApplier.apply(g, foreign, LoadOptions.STRICT), "other-generator");
    }

    @Test
    void truncatedOrCorruptFilesAreRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(trainedFile());
        Path truncated = Files.write(dir.resolve("truncated.nola"), Arrays.copyOf(bytes, bytes.length / 2));
        assertRefusedUntouched(AdapterFormatException.class, adapt(GraphFixtures.mlp(DataType.FLOAT)),
                loading(truncated, LoadOptions.STRICT));
        byte[] flipped = bytes.clone();
        flipped[flipped.length - 9] ^= 0x5a;
        Path corrupt = Files.write(dir.resolve("corrupt.nola"), flipped);
        assertRefusedUntouched(AdapterFormatException.class, adapt(GraphFixtures.mlp(DataType.FLOAT)),
                loading(corrupt, LoadOptions.STRICT));
        assertThrows(AdapterFormatException.class, () -> NolaGraphTransfer.of(GraphFixtures.mlp(DataType.FLOAT))
                .restore(truncated));
    }

    @Test
    void layerNetworkFilesAndGraphFilesAreNotInterchangeable() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).build()).build());
        net.init();
        Path layerFile = dir.resolve("layers.nola");
        NolaTransfer.of(net).targetKinds(LayerKind.DENSE).rank(2).numBases(4, 4).build()
                .saveAdapter(layerFile, WriteOptions.fp32());
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        AdapterMismatchException e = assertThrows(AdapterMismatchException.class,
                () -> NolaGraphTransfer.of(base).restore(layerFile));
        assertTrue(e.getMessage().contains("NolaTransfer.of(baseNetwork).restore(file)"), e.getMessage());
        assertRefusedUntouched(AdapterMismatchException.class, adapt(base), loading(layerFile, LoadOptions.STRICT),
                "not the adapter of a SameDiff graph");

        Path graphFile = trainedFile();
        AdapterFormatException back = assertThrows(AdapterFormatException.class,
                () -> NolaTransfer.of(net).restore(graphFile));
        assertTrue(back.getMessage().contains("NolaGraphTransfer.of(baseGraph).restore(file)"), back.getMessage());
    }

    @Test
    void restoreTakesEverythingFromTheFile() throws Exception {
        Path file = trainedFile();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(GraphFixtures.mlp(DataType.FLOAT)).targetNames("w0").restore(file));
        assertTrue(e.getMessage().contains("from the file"), e.getMessage());
    }

    @Test
    void fileWithoutGraphSettingsLoadsButDoesNotRestore() throws Exception {
        GraphTransferResult r = adapt(GraphFixtures.mlp(DataType.FLOAT));
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 4);
        GraphFixtures.train(r.sameDiff(), data, 3, 5e-2);
        Path bare = dir.resolve("bare.nola");
        io.github.nola4j.layers.adapter.AdapterFiles.write(GraphAdapterFiles.capture(r, "bare").withTransferJson(""),
                bare, WriteOptions.fp32());
        GraphTransferResult again = adapt(GraphFixtures.mlp(DataType.FLOAT));
        GraphAdapterFiles.load(again, bare, LoadOptions.STRICT);
        GraphFixtures.assertBitIdentical(GraphFixtures.output(r.sameDiff(), data.getFeatures()),
                GraphFixtures.output(again.sameDiff(), data.getFeatures()), "loaded without settings");
        assertThrows(AdapterFormatException.class, () -> NolaGraphTransfer.of(GraphFixtures.mlp(DataType.FLOAT))
                .restore(bare));
    }
}
