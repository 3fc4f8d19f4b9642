package io.github.nola4j.samples.bench;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link OneThreadStep} runs its step on one libnd4j and one BLAS thread and restores the settings, also after a failure. */
class OneThreadStepTest {

    private static int[] settings() {
        Environment env = Nd4j.getEnvironment();
        return new int[] {env.elementwiseThreshold(), env.tadThreshold(), env.maxMasterThreads(),
                Nd4j.factory().blas().getMaxThreads()};
    }

    @Test
    void runsTheStepSingleThreadedAndRestoresTheSettings() {
        int[] before = settings();
        int[][] during = new int[1][];
        new OneThreadStep(() -> during[0] = settings()).run();
        assertEquals(Integer.MAX_VALUE, during[0][0], "element-wise threshold");
        assertEquals(Integer.MAX_VALUE, during[0][1], "TAD threshold");
        assertEquals(1, during[0][2], "libnd4j threads");
        assertEquals(1, during[0][3], "BLAS threads");
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(settings()));
        assertThrows(IllegalStateException.class, () -> new OneThreadStep(() -> {
            throw new IllegalStateException("step failed");
        }).run());
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(settings()));
    }
}
