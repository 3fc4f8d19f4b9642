package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Switching among three adapters of one graph, merging into W and unmerging bit-exactly: after
 * {@value #CYCLES} switch / merge / unmerge cycles the frozen base is bit-identical to the pristine one.
 */
class GraphAdapterBankTest {

    private static final int CYCLES = 1000;
    private static final int TASKS = 3;

    @TempDir
    Path dir;

    private static GraphTransferResult adapt(SameDiff base) {
        return NolaGraphTransfer.of(base).targetOps(WeightOp.CONV2D, WeightOp.MATMUL).rank(2).numBases(8, 4)
                .build();
    }

    @Test
    void switchesAmongThreeAdaptersAndMergesBitExactly() throws Exception {
        SameDiff base = GraphFixtures.conv(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 2, 5, 5);
        INDArray features = data.getFeatures();
        List<Path> files = new ArrayList<>();
        List<INDArray> expected = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            GraphTransferResult r = adapt(base);
            GraphFixtures.train(r.sameDiff(), data, 2 + 3 * t, 3e-2 * (t + 1));
            expected.add(GraphFixtures.output(r.sameDiff(), features));
            files.add(dir.resolve("task" + t + ".nola"));
            GraphAdapterFiles.save(r, files.get(t), "task" + t, WriteOptions.fp32());
        }
        GraphTransferResult graph = adapt(base);
        INDArray baseOutput = GraphFixtures.output(graph.sameDiff(), features);
        Map<String, INDArray> pristine = GraphFixtures.snapshot(graph.sameDiff());
        GraphAdapterBank bank = new GraphAdapterBank(graph, LoadOptions.STRICT);
        for (int t = 0; t < TASKS; t++) {
            bank.add("task" + t, files.get(t));
        }
        assertThrows(AdapterMismatchException.class, () -> bank.add("task0", files.get(0)));

        for (int t = TASKS - 1; t >= 0; t--) {
            bank.activate("task" + t);
            assertEquals("task" + t, bank.active());
            GraphFixtures.assertBitIdentical(expected.get(t), GraphFixtures.output(graph.sameDiff(), features),
                    "task" + t);
            bank.merge();
            GraphFixtures.assertClose(expected.get(t), GraphFixtures.output(graph.sameDiff(), features), 1e-5,
                    "task" + t + " merged");
            assertThrows(IllegalStateException.class, () -> bank.activate("task0"));
            assertThrows(IllegalStateException.class, bank::merge);
            bank.unmerge();
            GraphFixtures.assertBitIdentical(expected.get(t), GraphFixtures.output(graph.sameDiff(), features),
                    "task" + t + " unmerged");
        }
        for (int i = 0; i < CYCLES; i++) {
            bank.activate("task" + (i % TASKS));
            bank.merge();
            bank.unmerge();
        }
        bank.detach();
        assertNull(bank.active());
        GraphFixtures.assertBitIdentical(baseOutput, GraphFixtures.output(graph.sameDiff(), features), "detached");
        for (AdaptedWeight w : graph.adaptedWeights()) {
            GraphFixtures.assertBitIdentical(pristine.get(w.name()), graph.sameDiff().getVariable(w.name()).getArr(),
                    w.name() + " after " + CYCLES + " cycles");
        }
        assertEquals(GraphAdapterCapture.fingerprint(graph.sameDiff(), graph.adaptedWeights()),
                graph.baseFingerprint());
        bank.activate("task1");
        GraphFixtures.assertBitIdentical(expected.get(1), GraphFixtures.output(graph.sameDiff(), features),
                "task1 after " + CYCLES + " cycles");
    }

    @Test
    void mergedGraphSavesTheAdapterForItsPristineBase() throws Exception {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 4);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).build();
        GraphFixtures.train(r.sameDiff(), data, 5, 5e-2);
        INDArray expected = GraphFixtures.output(r.sameDiff(), data.getFeatures());
        GraphMerger merger = new GraphMerger(r);
        merger.merge();
        assertEquals(0.0, r.sameDiff().getVariable("w0/nola/beta").getArr().amaxNumber().doubleValue());
        GraphFixtures.assertClose(expected, GraphFixtures.output(r.sameDiff(), data.getFeatures()), 1e-5, "merged");
        merger.unmerge();
        Path file = dir.resolve("after-merge.nola");
        GraphAdapterFiles.save(r, file, "m", WriteOptions.fp32());
        GraphFixtures.assertBitIdentical(expected,
                GraphFixtures.output(NolaGraphTransfer.of(base).restore(file).sameDiff(), data.getFeatures()),
                "restored after a merge cycle");
    }
}
