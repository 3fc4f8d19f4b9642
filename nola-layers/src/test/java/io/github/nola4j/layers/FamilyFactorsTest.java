package io.github.nola4j.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FamilyFactors}' views and its projection into the callers' gradient arrays: s·B as a view equals the
 * copy, the gradient rows are what {@link FamilyFactors#setGradients} fills, and {@link FamilyFactors#projectInto}
 * writes bit for bit what {@link FamilyFactors#project} leaves in its rows, into contiguous and strided targets,
 * for groups of one and of two members, and leaves the arrays of members without a target alone; the factors of
 * groups of one (a matrix-vector product) and of two (a GEMM) equal the per-layer {@link NolaFactors#factors}.
 */
class FamilyFactorsTest {

    /** A groups: {0, 1} (fanIn 6), {2} (fanIn 3); B groups: {0, 2} (nOut 5), {1} (nOut 4) */
    private static FamilyFactors family() {
        List<NolaFactors> members = List.of(
                NolaFactors.of(17, 2, 6, 5, 6, 5, 0.5, 0),
                NolaFactors.of(17, 2, 6, 5, 6, 4, 0.5, 0),
                NolaFactors.of(17, 2, 6, 5, 3, 5, 0.5, 0));
        FamilyFactors f = new FamilyFactors(members, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(4);
        for (int m = 0; m < 3; m++) {
            f.setCoefficients(m, Nd4j.rand(DataType.DOUBLE, 1, 6), Nd4j.rand(DataType.DOUBLE, 1, 5));
            INDArray[] rows = f.gradientRows(m);
            rows[0].assign(Nd4j.rand(DataType.DOUBLE, rows[0].shape()).subi(0.5));
            rows[1].assign(Nd4j.rand(DataType.DOUBLE, rows[1].shape()).subi(0.5));
        }
        f.compute();
        return f;
    }

    private static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.length(), actual.length(), what);
        assertEquals(0.0, expected.reshape(expected.length()).sub(actual.reshape(actual.length())).amaxNumber()
                .doubleValue(), what);
    }

    @Test
    void bViewEqualsTheCopyAndGradientRowsAreWhatSetGradientsFills() {
        FamilyFactors f = family();
        for (int m = 0; m < 3; m++) {
            assertArrayEquals(f.b(m).shape(), f.bView(m).shape());
            assertBitIdentical(f.b(m), f.bView(m), "s·B of member " + m);
        }
        INDArray dA = Nd4j.rand(DataType.DOUBLE, 6, 2);
        INDArray dB = Nd4j.rand(DataType.DOUBLE, 2, 4);
        f.setGradients(1, dA, dB);
        assertBitIdentical(dA, f.gradientRows(1)[0], "dA row");
        assertBitIdentical(dB.transpose().dup('c'), f.gradientRows(1)[1], "d(s·B)ᵀ row");
    }

    @Test
    void projectIntoWritesWhatProjectLeavesInContiguousAndStridedTargets() {
        FamilyFactors f = family();
        f.project();
        INDArray[] alpha = new INDArray[3];
        INDArray[] beta = new INDArray[3];
        for (int m = 0; m < 3; m++) {
            alpha[m] = f.alphaGradient(m).dup();
            beta[m] = f.betaGradient(m).dup();
        }
        INDArray wideA = Nd4j.zeros(DataType.DOUBLE, 6, 2); // column 1 is a strided [6] view
        INDArray wideB = Nd4j.zeros(DataType.DOUBLE, 5, 2);
        INDArray[] alphaTargets = {Nd4j.zeros(DataType.DOUBLE, 1, 6), null,
                wideA.get(NDArrayIndex.all(), NDArrayIndex.point(1))};
        INDArray[] betaTargets = {Nd4j.zeros(DataType.DOUBLE, 5), wideB.get(NDArrayIndex.all(), NDArrayIndex.point(1)),
                Nd4j.zeros(DataType.DOUBLE, 1, 5)};
        assertTrue(alphaTargets[2].elementWiseStride() != 1, "a strided target");

        FamilyFactors again = family();
        again.projectInto(alphaTargets, betaTargets);
        assertBitIdentical(alpha[0], alphaTargets[0], "dα of member 0 (group of two)");
        assertBitIdentical(alpha[2], alphaTargets[2], "dα of member 2 (group of one, strided target)");
        assertBitIdentical(beta[0], betaTargets[0], "dβ of member 0 (group of two)");
        assertBitIdentical(beta[1], betaTargets[1], "dβ of member 1 (group of one, strided target)");
        assertBitIdentical(beta[2], betaTargets[2], "dβ of member 2 (group of two)");
        assertEquals(0.0, wideA.getColumn(0).amaxNumber().doubleValue(), "the rest of a strided target's array");
        assertEquals(0.0, wideB.getColumn(0).amaxNumber().doubleValue(), "the rest of a strided target's array");
    }

    @Test
    void factorsOfGroupsOfOneAndTwoEqualThePerLayerFactors() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-6;
            List<NolaFactors> members = List.of(
                    NolaFactors.of(17, 2, 6, 5, 6, 5, 0.5, 0),
                    NolaFactors.of(17, 2, 6, 5, 6, 4, 0.5, 0),
                    NolaFactors.of(17, 2, 6, 5, 3, 5, 0.5, 0));
            FamilyFactors f = new FamilyFactors(members, type);
            Nd4j.getRandom().setSeed(5);
            INDArray[] alpha = new INDArray[3];
            INDArray[] beta = new INDArray[3];
            for (int m = 0; m < 3; m++) {
                alpha[m] = Nd4j.rand(type, 1, 6).subi(0.5);
                beta[m] = Nd4j.rand(type, 1, 5).subi(0.5);
                f.setCoefficients(m, alpha[m], beta[m]);
            }
            f.compute();
            for (int m = 0; m < 3; m++) {
                INDArray[] expected = members.get(m).factors(alpha[m], beta[m]);
                RelativeCloseness.assertClose(expected[0], f.a(m), tolerance, type + " A of member " + m);
                RelativeCloseness.assertClose(expected[1], f.bView(m), tolerance, type + " s·B of member " + m);
            }
        }
    }
}
