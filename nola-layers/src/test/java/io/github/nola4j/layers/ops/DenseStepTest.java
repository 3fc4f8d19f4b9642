package io.github.nola4j.layers.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DenseStep} against the dense formulas written out with ND4J's own products and broadcast add (the path
 * before {@link BlasProduct}): z = x·W + b + (x·A)·(s·B), dA = xᵀ·(δ·(s·B)ᵀ), d(s·B) = (x·A)ᵀ·δ,
 * dx = δ·Wᵀ + δ·(s·B)ᵀ·Aᵀ, in double (1e-12 relative) and float (1e-6), with s·B as an array and as the transposed
 * view a basis family hands over; {@link TrainingStep#backpropInto} writes what {@link TrainingStep#backprop}
 * returns into the caller's arrays, and inference ({@link DenseOperation#preOutput}) gives the training z.
 */
class DenseStepTest {

    private static final int MB = 6;
    private static final int N_IN = 9;
    private static final int N_OUT = 7;
    private static final int RANK = 3;

    private static INDArray random(DataType dt, long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).castTo(dt);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0, what + ": a value to compare");
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tol * scale, what + " differs by " + diff + " of " + scale);
    }

    @Test
    void equalsTheFormulasInDoubleAndFloatWithBAsArrayAndAsTransposedView() {
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-6;
            INDArray x = random(dt, 1, MB, N_IN);
            INDArray w = random(dt, 2, N_IN, N_OUT);
            INDArray bias = random(dt, 3, 1, N_OUT);
            INDArray a = random(dt, 4, N_IN, RANK);
            INDArray bt = random(dt, 5, N_OUT, RANK); // s·Bᵀ as a family holds it
            INDArray delta = random(dt, 6, MB, N_OUT);
            INDArray b = bt.transpose().dup('c');

            INDArray u = x.mmul(a);
            INDArray z = x.mmul(w).addiRowVector(bias).addi(u.mmul(b));
            INDArray deltaB = delta.mmul(b.transpose());
            INDArray dA = x.transpose().mmul(deltaB);
            INDArray dB = u.transpose().mmul(delta);
            INDArray dx = delta.mmul(w.transpose()).addi(deltaB.mmul(a.transpose()));

            for (INDArray factorB : new INDArray[] {b, bt.transpose()}) {
                String what = dt + (factorB == b ? ", s·B an array" : ", s·B a transposed view");
                DenseStep step = new DenseStep(x, w, bias, a, factorB, true);
                assertClose(z, step.preOutput(), tol, what + ": z");
                INDArray[] grads = step.backprop(delta.dup());
                assertClose(dx, grads[0], tol, what + ": dx");
                assertClose(dA, grads[1], tol, what + ": dA");
                assertClose(dB, grads[2], tol, what + ": d(s·B)");

                INDArray intoA = Nd4j.valueArrayOf(new long[] {N_IN, RANK}, Double.NaN, dt);
                INDArray intoBt = Nd4j.valueArrayOf(new long[] {N_OUT, RANK}, Double.NaN, dt);
                INDArray intoDx = new DenseStep(x, w, bias, a, factorB, true).backpropInto(delta.dup(), intoA, intoBt);
                assertClose(grads[0], intoDx, tol, what + ": dx into");
                assertClose(grads[1], intoA, tol, what + ": dA into");
                assertClose(grads[2].transpose(), intoBt, tol, what + ": d(s·B)ᵀ into");

                INDArray inference = DenseOperation.INSTANCE.preOutput(x, w, bias,
                        new LowRankUpdate(DenseOperation.INSTANCE, new long[] {N_IN, N_OUT}, a, factorB));
                assertEquals(0.0, step.preOutput().sub(inference).amaxNumber().doubleValue(), what + ": inference z");
            }
        }
    }

    @Test
    void withoutBiasAndInputGradient() {
        INDArray x = random(DataType.DOUBLE, 7, MB, N_IN);
        INDArray w = random(DataType.DOUBLE, 8, N_IN, N_OUT);
        INDArray a = random(DataType.DOUBLE, 9, N_IN, RANK);
        INDArray b = random(DataType.DOUBLE, 10, RANK, N_OUT);
        DenseStep step = new DenseStep(x, w, null, a, b, false);
        assertClose(x.mmul(w).addi(x.mmul(a).mmul(b)), step.preOutput(), 1e-12, "z without bias");
        assertNull(step.backprop(random(DataType.DOUBLE, 11, MB, N_OUT))[0], "no dx");
    }
}
