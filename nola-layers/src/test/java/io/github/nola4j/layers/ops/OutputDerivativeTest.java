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
    void callingThreadLoopsEqualTheNd4jOpsBitForBit() {
        for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(5);
            INDArray big = Nd4j.rand(dataType, 70, 90).subi(0.5).muli(2);
            INDArray[] ys = {big.dup('c'), big.dup('f'), big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 67),
                    org.nd4j.linalg.indexing.NDArrayIndex.all())};
            for (INDArray y : ys) {
                String what = dataType + " y order " + y.ordering() + (y.isView() ? " view" : "");
                INDArray tanh = OutputDerivative.of(Activation.TANH, y);
                assertArrayEquals(y.mul(y).rsubi(1.0).dup('c').data().asDouble(), tanh.dup('c').data().asDouble(), 0.0,
                        what + ": tanh");
                INDArray sigmoid = OutputDerivative.of(Activation.SIGMOID, y);
                assertArrayEquals(y.rsub(1.0).muli(y).dup('c').data().asDouble(), sigmoid.dup('c').data().asDouble(),
                        0.0, what + ": sigmoid");
                INDArray epsilon = Nd4j.randn(dataType, y.shape()).dup('f'); // DL4J's layers hand F-ordered ε
                INDArray expected = tanh.dup().muli(epsilon);
                INDArray delta = OutputDerivative.times(tanh, epsilon);
                assertTrue(delta == tanh, what + ": in place");
                assertArrayEquals(expected.dup('c').data().asDouble(), delta.dup('c').data().asDouble(), 0.0,
                        what + ": δ");
            }
        }
    }

    @Test
    void otherArraysTakeTheNd4jOps() {
        INDArray y = Nd4j.rand(DataType.FLOAT, 2, 3, 4).subi(0.5); // rank 3, and half precision: not looped
        assertArrayEquals(y.mul(y).rsubi(1.0).data().asDouble(), OutputDerivative.of(Activation.TANH, y).data()
                .asDouble(), 0.0);
        INDArray h = y.reshape(6, 4).castTo(DataType.HALF);
        INDArray e = Nd4j.ones(DataType.HALF, 6, 4).muli(0.5);
        assertArrayEquals(h.mul(h).rsubi(1.0).muli(e).data().asDouble(),
                OutputDerivative.times(OutputDerivative.of(Activation.TANH, h), e).data().asDouble(), 0.0);
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
