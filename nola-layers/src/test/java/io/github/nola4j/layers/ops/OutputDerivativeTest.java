package io.github.nola4j.layers.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ε·{@link OutputDerivative#of}(act, act(z)) equals DL4J's {@code act.backprop(z, ε)}: float to 1e-6 and double
 * to 1e-12 of the largest value, sigmoid bit for bit; y is left unchanged.
 */
class OutputDerivativeTest {

    /** @return [δ from y, DL4J's δ from z] for z spread over the activation's curved part and its tails */
    private static INDArray[] deltas(Activation activation, DataType dataType) {
        Nd4j.getRandom().setSeed(3);
        INDArray z = Nd4j.randn(dataType, 16, 40).muli(3);
        INDArray epsilon = Nd4j.randn(dataType, 16, 40);
        INDArray expected = activation.getActivationFunction().backprop(z.dup(), epsilon.dup()).getFirst();
        INDArray y = activation.getActivationFunction().getActivation(z.dup(), true);
        INDArray yBefore = y.dup();
        INDArray fromOutput = OutputDerivative.of(activation, y).muli(epsilon);
        assertEquals(yBefore, y, "y is not changed");
        return new INDArray[] {fromOutput, expected};
    }

    @Test
    void equalsDl4jBackpropForTanhAndSigmoid() {
        for (Activation activation : new Activation[] {Activation.TANH, Activation.SIGMOID}) {
            for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                INDArray[] d = deltas(activation, dataType);
                double tolerance = dataType == DataType.FLOAT ? 1e-6 : 1e-12;
                double scale = d[1].amaxNumber().doubleValue();
                double diff = d[0].sub(d[1]).amaxNumber().doubleValue();
                assertTrue(diff <= tolerance * scale, activation + " " + dataType + ": max difference " + diff
                        + " against largest " + scale);
            }
        }
    }

    @Test
    void sigmoidIsBitIdenticalToDl4j() {
        for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray[] d = deltas(Activation.SIGMOID, dataType);
            assertArrayEquals(d[1].data().asDouble(), d[0].data().asDouble(), 0.0, dataType.toString());
        }
    }

    @Test
    void supportsOnlyTanhAndSigmoidAndNamesTheOthers() {
        assertTrue(OutputDerivative.supports(Activation.TANH));
        assertTrue(OutputDerivative.supports(Activation.SIGMOID));
        assertFalse(OutputDerivative.supports(Activation.RELU));
        assertFalse(OutputDerivative.supports(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputDerivative.of(Activation.RELU, Nd4j.ones(DataType.FLOAT, 2, 2)));
        assertTrue(e.getMessage().contains("RELU") && e.getMessage().contains("TANH or SIGMOID"), e.getMessage());
    }
}
