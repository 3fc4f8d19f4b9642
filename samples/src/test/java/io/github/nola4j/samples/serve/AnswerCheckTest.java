package io.github.nola4j.samples.serve;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The load test's judge: tolerance from the float bank's measured rounding, and nearest reference wins. */
class AnswerCheckTest {

    private static INDArray rows(double[]... rows) {
        return Nd4j.createFromArray(rows);
    }

    private final Map<String, INDArray> exact = Map.of(
            "a", rows(new double[] {0.5, 0.3, 0.2}, new double[] {0.1, 0.1, 0.8}),
            "b", rows(new double[] {0.5, 0.3004, 0.1996}, new double[] {0.2, 0.1, 0.7}));
    /** a's float answers 1e-4 from exact (relative to the row's largest value, 0.5 then 0.8), b's 2e-5. */
    private final Map<String, INDArray> floats = Map.of(
            "a", rows(new double[] {0.50005, 0.3, 0.2}, new double[] {0.1, 0.10008, 0.8}),
            "b", rows(new double[] {0.5, 0.30041, 0.1996}, new double[] {0.2, 0.1, 0.7}));

    @Test
    void theToleranceIsTwiceTheFloatBanksLargestDeviationOrTheFloor() {
        AnswerCheck check = new AnswerCheck(exact, floats, 1e-6);
        assertEquals(1e-4, check.rounding(), 1e-9);
        assertEquals(2e-4, check.tolerance(), 1e-9);
        assertEquals(0.0004 / 0.5, check.separation(), 1e-9, "a and b on image 0");
        assertEquals(1e-3, new AnswerCheck(exact, floats, 1e-3).tolerance(), 0, "the floor when rounding is less");
    }

    @Test
    void anAnswerWithinRoundingOfItsOwnReferenceIsRight() {
        AnswerCheck check = new AnswerCheck(exact, floats, 1e-6);
        AnswerCheck.Verdict v = check.judge(new double[] {0.50008, 0.3, 0.2}, "a", 0);
        assertTrue(v.right(), v.toString());
        assertEquals(1.6e-4, v.deviation(), 1e-9);
        assertEquals("b", v.nearestOther());
        assertEquals(0.3e-4 / 0.50005, v.fromFloat(), 1e-12, "relative to the float row's largest value");
    }

    @Test
    void anAnswerBeyondTheToleranceIsWrongThoughNoOtherReferenceIsNearer() {
        AnswerCheck check = new AnswerCheck(exact, floats, 1e-6);
        AnswerCheck.Verdict v = check.judge(new double[] {0.1, 0.3, 0.8}, "a", 1);
        assertFalse(v.right(), v.toString());
        assertTrue(v.otherDeviation() > v.deviation(), "b is farther still");
    }

    @Test
    void anotherAdaptersAnswerIsWrongEvenWithinTheTolerance() {
        // b's answer on image 0 lies 8e-4 from a's reference: within a floor of 1e-3, but it is b's
        AnswerCheck check = new AnswerCheck(exact, floats, 1e-3);
        AnswerCheck.Verdict v = check.judge(new double[] {0.5, 0.3004, 0.1996}, "a", 0);
        assertTrue(v.deviation() <= check.tolerance(), v.toString());
        assertFalse(v.right(), "nearer b's reference than a's");
        assertEquals("b", v.nearestOther());
        assertEquals(0, v.otherDeviation(), 1e-12);
    }
}
