package io.github.nola4j.zoo.graph;

import io.github.nola4j.zoo.AdapterKind;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

import static io.github.nola4j.zoo.graph.GraphFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At step 0 the adapted graph computes what its base does, and the base graph is left untouched. */
class GraphStepZeroTest {

    private static final double FLOAT_TOLERANCE = 1e-6;
    private static final double DOUBLE_TOLERANCE = 1e-12;

    @Test
    void mlpEqualsBaseInFloatAndDouble() {
        for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            SameDiff base = GraphFixtures.mlp(dt);
            Map<String, INDArray> before = GraphFixtures.snapshot(base);
            GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(8, 6)
                    .build();
            assertEquals(List.of("w0", "w1"), r.adaptedWeights().stream().map(AdaptedWeight::name).toList());
            assertEquals(WeightLayout.DENSE, r.adaptedWeights().get(0).layout());
            assertEquals(WeightLayout.DENSE_TRANSPOSED, r.adaptedWeights().get(1).layout());
            assertEquals(2 * (8 + 6), r.trainableParams());
            assertSameOutputs(base, r.sameDiff(), GraphFixtures.data(dt, 7, 4), tolerance(dt));
            assertBaseUntouched(base, before);
        }
    }

    @Test
    void convEqualsBaseInFloatAndDouble() {
        for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            SameDiff base = GraphFixtures.conv(dt);
            Map<String, INDArray> before = GraphFixtures.snapshot(base);
            GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.CONV2D, WeightOp.MATMUL).build();
            assertEquals(List.of("k", "wd"), r.adaptedWeights().stream().map(AdaptedWeight::name).toList());
            AdaptedWeight k = r.adaptedWeights().get(0);
            assertEquals(WeightLayout.KERNEL_YXIO, k.layout());
            assertEquals(2 * 3 * 3, k.fanIn());
            assertEquals(4, k.nOut());
            assertSameOutputs(base, r.sameDiff(), GraphFixtures.data(dt, 5, 2, 5, 5), tolerance(dt));
            assertBaseUntouched(base, before);
        }
    }

    @Test
    void linearAndLeftOperandEqualBase() {
        SameDiff base = GraphFixtures.linearAndLeftOperand(DataType.DOUBLE);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).build();
        assertEquals(List.of(WeightLayout.DENSE, WeightLayout.DENSE_TRANSPOSED),
                r.adaptedWeights().stream().map(AdaptedWeight::layout).toList());
        assertEquals(List.of(6L, 3L), List.of(r.adaptedWeights().get(1).fanIn(), r.adaptedWeights().get(1).nOut()));
        assertSameOutputs(base, r.sameDiff(), GraphFixtures.data(DataType.DOUBLE, 5, 4), DOUBLE_TOLERANCE);
    }

    @Test
    void quantisationAwareAndLoraEqualBase() {
        SameDiff base = GraphFixtures.mlp(DataType.DOUBLE);
        DataSet data = GraphFixtures.data(DataType.DOUBLE, 6, 4);
        assertSameOutputs(base, NolaGraphTransfer.of(base).targetNames("w0", "w1").quantizationBits(4).build()
                .sameDiff(), data, DOUBLE_TOLERANCE);
        GraphTransferResult lora = NolaGraphTransfer.of(base).targetMatching("w.").kind(AdapterKind.LORA).rank(3)
                .build();
        assertEquals(3 * (4 + 6) + 3 * (6 + 3), lora.trainableParams());
        assertSameOutputs(base, lora.sameDiff(), data, DOUBLE_TOLERANCE);
    }

    @Test
    void onlyTheAdapterStaysVariable() {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        GraphTransferResult r = NolaGraphTransfer.of(base).targetNames("w0").exclude("w1").numBases(5, 7).build();
        List<String> variables = r.sameDiff().variables().stream()
                .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(v -> v.name()).toList();
        assertEquals(List.of("w0/nola/alpha", "w0/nola/beta"), variables);
        assertEquals(variables, r.trainableVariablesOf("w0"));
        assertEquals(variables, r.trainableVariables());
        for (String frozen : List.of("w0", "b0", "w1", "b1")) {
            assertEquals(VariableType.CONSTANT, r.sameDiff().getVariable(frozen).getVariableType(), frozen);
        }
        assertTrue(r.summary().startsWith("trainable params: 12 || all params: " + (4 * 6 + 6 + 3 * 6 + 3 + 12)),
                r.summary());
        assertEquals(List.of("w0 [4, 6]"), r.describeWeights());
    }

    private static double tolerance(DataType dt) {
        return dt == DataType.DOUBLE ? DOUBLE_TOLERANCE : FLOAT_TOLERANCE;
    }

    private static void assertSameOutputs(SameDiff base, SameDiff adapted, DataSet data, double tolerance) {
        INDArray expected = GraphFixtures.output(base, data.getFeatures());
        assertClose(expected, GraphFixtures.output(adapted, data.getFeatures()), tolerance, "step-0 output");
        assertEquals(GraphFixtures.loss(base, data), GraphFixtures.loss(adapted, data),
                tolerance * Math.abs(GraphFixtures.loss(base, data)));
    }

    /** The input graph keeps its variables, their types and values, and gains no variable. */
    private static void assertBaseUntouched(SameDiff base, Map<String, INDArray> before) {
        assertEquals(before.keySet(), GraphFixtures.snapshot(base).keySet());
        before.forEach((name, value) -> assertEquals(value, base.getArrForVarName(name), name));
        for (String w : List.of("w0", "w1", "k", "wd")) {
            if (base.hasVariable(w)) {
                assertEquals(VariableType.VARIABLE, base.getVariable(w).getVariableType(), w);
                assertFalse(base.hasVariable(w + "/nola/alpha"), w);
            }
        }
    }
}
