package io.github.nola4j.zoo.graph;

import io.github.nola4j.zoo.AdapterKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;


/**
 * Gradients of the loss with respect to α and β (LoRA: A and B) through the rewritten graph, against
 * central differences in double precision ({@link FiniteDifferenceCheck}).
 */
class GraphGradientCheckTest {

    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-5;
    private static final double MIN_ABS_ERROR = 1e-9;

    private DataType defaultType;
    private DataType defaultFloatingType;

    /** Double by default, so that no intermediate array of the check is made in float. */
    @BeforeEach
    void doubleByDefault() {
        defaultType = Nd4j.dataType();
        defaultFloatingType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restoreDefault() {
        Nd4j.setDefaultDataTypes(defaultType, defaultFloatingType);
    }

    @Test
    void nolaOnMlp() {
        SameDiff base = GraphFixtures.mlp(DataType.DOUBLE);
        check(NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(5, 4).build(),
                GraphFixtures.data(DataType.DOUBLE, 4, 4));
    }

    @Test
    void nolaOnLinearAndLeftOperand() {
        SameDiff base = GraphFixtures.linearAndLeftOperand(DataType.DOUBLE);
        check(NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(4, 3).build(),
                GraphFixtures.data(DataType.DOUBLE, 4, 4));
    }

    @Test
    void nolaOnConvGraph() {
        SameDiff base = GraphFixtures.conv(DataType.DOUBLE);
        check(NolaGraphTransfer.of(base).targetOps(WeightOp.CONV2D, WeightOp.MATMUL).rank(2).numBases(6, 5).build(),
                GraphFixtures.data(DataType.DOUBLE, 3, 2, 5, 5));
    }

    @Test
    void loraOnConvGraph() {
        SameDiff base = GraphFixtures.conv(DataType.DOUBLE);
        check(NolaGraphTransfer.of(base).targetNames("k").kind(AdapterKind.LORA).rank(2).build(),
                GraphFixtures.data(DataType.DOUBLE, 3, 2, 5, 5));
    }

    /** Moves every trainable variable off its start (β = 0 would make dα = 0), then checks the gradients. */
    private static void check(GraphTransferResult r, DataSet data) {
        SameDiff sd = r.sameDiff();
        Nd4j.getRandom().setSeed(7);
        for (String name : r.trainableVariables()) {
            sd.getArrForVarName(name).addi(Nd4j.randn(DataType.DOUBLE, sd.getArrForVarName(name).shape()).muli(0.5));
        }
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> placeholders = Map.of(GraphFixtures.INPUT,
                data.getFeatures(), GraphFixtures.LABEL, data.getLabels());
        FiniteDifferenceCheck.assertGradients(sd, placeholders, GraphFixtures.LOSS, r.trainableVariables(), EPS,
                MAX_REL_ERROR, MIN_ABS_ERROR);
    }
}
