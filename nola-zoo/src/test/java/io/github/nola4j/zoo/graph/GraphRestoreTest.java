package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code NolaGraphTransfer.of(base).restore(file)} rebuilds the adapted graph from the base graph and the file alone. */
class GraphRestoreTest {

    @TempDir
    Path dir;

    @Test
    void restoreGivesTheSameGraphAndBitIdenticalOutputs() throws Exception {
        SameDiff base = GraphFixtures.linearAndLeftOperand(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 4);
        GraphTransferResult trained = NolaGraphTransfer.of(base).targetMatching("w[01]").rank(2).numBases(8, 6)
                .basisSeed(5).scale(0.75).override("w1", s -> s.withNumBases(12, 3).withQuantizationBits(3)).build();
        GraphFixtures.train(trained.sameDiff(), data, 8, 5e-2);
        INDArray expected = GraphFixtures.output(trained.sameDiff(), data.getFeatures());
        Path file = dir.resolve("restore.nola");
        GraphAdapterFiles.save(trained, file, "r", WriteOptions.fp32());

        GraphTransferResult restored = NolaGraphTransfer.of(base).restore(file);
        assertEquals(trained.describeWeights(), restored.describeWeights());
        assertEquals(trained.summary(), restored.summary());
        assertEquals(trained.baseFingerprint(), restored.baseFingerprint());
        for (int i = 0; i < trained.adaptedWeights().size(); i++) {
            AdaptedWeight a = trained.adaptedWeights().get(i);
            AdaptedWeight b = restored.adaptedWeights().get(i);
            assertEquals(a.spec(), b.spec(), a.name());
            assertEquals(a.layout(), b.layout(), a.name());
            assertEquals(a.trainableVariables(), b.trainableVariables(), a.name());
        }
        GraphFixtures.assertBitIdentical(expected, GraphFixtures.output(restored.sameDiff(), data.getFeatures()),
                "restored");
        Path again = dir.resolve("again.nola");
        GraphAdapterFiles.save(restored, again, "r", WriteOptions.fp32());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "a restored graph saves the same file");
    }

    @Test
    void doubleGraphRestoresToBinary32Precision() throws Exception {
        SameDiff base = GraphFixtures.mlp(DataType.DOUBLE);
        DataSet data = GraphFixtures.data(DataType.DOUBLE, 12, 4);
        GraphTransferResult trained = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).build();
        GraphFixtures.train(trained.sameDiff(), data, 5, 5e-2);
        Path file = dir.resolve("double.nola");
        GraphAdapterFiles.save(trained, file, "d", WriteOptions.fp32());
        GraphTransferResult restored = NolaGraphTransfer.of(base).restore(file);
        GraphFixtures.assertClose(GraphFixtures.output(trained.sameDiff(), data.getFeatures()),
                GraphFixtures.output(restored.sameDiff(), data.getFeatures()), 1e-6, "double graph, fp32 file");
    }
}
