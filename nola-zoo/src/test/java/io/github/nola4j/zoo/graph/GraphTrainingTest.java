package io.github.nola4j.zoo.graph;

import io.github.nola4j.zoo.AdapterKind;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SameDiff's own {@code fit} on an adapted graph: every frozen variable stays bit-identical, the
 * adapter's variables move, and the base graph is not trained.
 */
class GraphTrainingTest {

    private static final int STEPS = 5;

    @Test
    void nolaOnMlpTrainsOnlyAlphaAndBeta() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(8, 8).build();
        assertTrainsOnlyAdapter(base, r, GraphFixtures.data(DataType.FLOAT, 12, 4), STEPS);
    }

    @Test
    void nolaOnConvGraphTrainsOnlyAlphaAndBeta() {
        SameDiff base = GraphFixtures.conv(DataType.FLOAT);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.CONV2D, WeightOp.MATMUL)
                .override("k", s -> s.withRank(3).withNumBases(16, 4)).build();
        assertEquals(3, r.adaptedWeights().get(0).spec().rank());
        assertTrainsOnlyAdapter(base, r, GraphFixtures.data(DataType.FLOAT, 12, 2, 5, 5), STEPS);
    }

    @Test
    void quantisationAwareNolaTrains() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).quantizationBits(4).build();
        assertTrainsOnlyAdapter(base, r, GraphFixtures.data(DataType.FLOAT, 12, 4), STEPS);
    }

    /** The LoRA baseline: A and B train, the loss falls, the base stays frozen. */
    @Test
    void loraBaselineTrains() {
        SameDiff base = GraphFixtures.conv(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 2, 5, 5);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.CONV2D, WeightOp.MATMUL)
                .kind(AdapterKind.LORA).rank(2).build();
        assertEquals("k/lora/A", r.trainableVariablesOf("k").get(0));
        double before = GraphFixtures.loss(r.sameDiff(), data);
        assertTrainsOnlyAdapter(base, r, data, 30);
        double after = GraphFixtures.loss(r.sameDiff(), data);
        assertTrue(after < before - 0.05, "LoRA loss " + before + " -> " + after);
    }

    /** A base graph that SameDiff already trained (it has a gradient function and updater state) adapts too. */
    @Test
    void baseThatWasTrainedBeforeAdapts() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 4);
        base.setTrainingConfig(GraphFixtures.training(1e-2));
        base.fit(data);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).build();
        assertTrainsOnlyAdapter(base, r, data, STEPS);
    }

    private static void assertTrainsOnlyAdapter(SameDiff base, GraphTransferResult r, DataSet data, int steps) {
        SameDiff sd = r.sameDiff();
        Map<String, INDArray> baseBefore = GraphFixtures.snapshot(base);
        Map<String, INDArray> before = GraphFixtures.snapshot(sd);
        sd.setTrainingConfig(GraphFixtures.training(1e-2));
        for (int i = 0; i < steps; i++) {
            sd.fit(data);
        }
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            INDArray now = sd.getArrForVarName(e.getKey());
            if (r.trainableVariables().contains(e.getKey())) {
                assertNotEquals(e.getValue(), now, e.getKey() + " did not move");
            } else {
                assertEquals(e.getValue(), now, e.getKey() + " is frozen but changed");
            }
        }
        baseBefore.forEach((name, value) -> assertEquals(value, base.getArrForVarName(name), "base " + name));
        for (String w : r.adaptedWeights().stream().map(AdaptedWeight::name).toList()) {
            assertEquals(baseBefore.get(w), sd.getArrForVarName(w), "frozen weight " + w);
        }
    }
}
