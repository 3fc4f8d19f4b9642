package io.github.nola4j.zoo.graph;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The selector's errors name the value, the constraint and the fix, and list the graph's weights. */
class GraphErrorsTest {

    @Test
    void zeroMatchListsWeightsWithShapesAndOps() {
        SameDiff base = GraphFixtures.conv(DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(base).targetMatching("dense.*").build());
        assertContains(e.getMessage(), "No weight matched the targets", "k [3, 3, 2, 4] VARIABLE <- conv2d (conv2d, input 1)",
                "wd [36, 3] VARIABLE <- matmul (matmul, input 1)", "cb [4] VARIABLE <- conv2d (conv2d, input 2)",
                "bd [1, 3] VARIABLE <- add (add, input 1)");
    }

    @Test
    void everythingExcludedIsAZeroMatch() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).excludeMatching("w[01]").build());
        assertContains(e.getMessage(), "w0 [4, 6] VARIABLE <- matmul (matmul, input 1)",
                "w1 [3, 6] VARIABLE <- matmul_1 (matmul, input 1)");
    }

    @Test
    void weightNamedButNotAdaptableGivesTheReason() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        IllegalArgumentException bias = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(base).targetNames("b0").build());
        assertContains(bias.getMessage(), "Weight b0 [1, 6]", "cannot be adapted", "read by op 'add'",
                "drop it from the targets");
        IllegalArgumentException conv = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(GraphFixtures.conv(DataType.FLOAT)).targetNames("cb").build());
        assertContains(conv.getMessage(), "cb [4]", "input 2 of conv2d, whose kernel is input 1");
    }

    @Test
    void batchedWeightIsSkippedByOpAndRefusedByName() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("in", DataType.FLOAT, 2, -1, 4);
        SDVariable batched = sd.var("w3", Nd4j.rand(DataType.FLOAT, 2, 4, 5));
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 5, 3));
        x.mmul(batched).mmul(w);
        GraphTransferResult r = NolaGraphTransfer.of(sd).targetOps(WeightOp.MATMUL).build();
        assertEquals(List.of("w"), r.adaptedWeights().stream().map(AdaptedWeight::name).toList());
        assertTrue(r.skipped().get("w3").contains("rank 3"), r.skipped().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(sd).targetNames("w3").build());
        assertContains(e.getMessage(), "w3 [2, 4, 5]", "has rank 3", "batched product");
    }

    @Test
    void unknownNameAndMissingTargetsListTheWeights() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(base).targetNames("dense_1/kernel").build());
        assertContains(unknown.getMessage(), "No weight variable named \"dense_1/kernel\"", "w0 [4, 6]");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(base).build());
        assertContains(none.getMessage(), "No targets", "targetOps(WeightOp.MATMUL, WeightOp.CONV2D)", "w1 [3, 6]");
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(base).targetMatching("w[0"));
        assertContains(regex.getMessage(), "Invalid target pattern \"w[0\"");
    }

    @Test
    void adaptingAnAdaptedGraphAgainIsRefused() {
        GraphTransferResult once = NolaGraphTransfer.of(GraphFixtures.mlp(DataType.FLOAT)).targetNames("w0").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(once.sameDiff()).targetNames("w0").build());
        assertContains(e.getMessage(), "w0 [4, 6] CONSTANT", "read by op 'add'");
    }

    @Test
    void badOptionsNameTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaGraphTransfer.of(GraphFixtures.mlp(DataType.FLOAT)).rank(0));
        assertContains(e.getMessage(), "rank", "0", "> 0");
        assertEquals(Map.of(), NolaGraphTransfer.of(GraphFixtures.mlp(DataType.FLOAT)).targetNames("w0").build()
                .skipped());
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }
}
