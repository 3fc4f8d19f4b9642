package io.github.nola4j.samples;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bench names the OpenMP wait policy and where it came from. */
class OpenMpWaitPolicyTest {

    @Test
    void namesTheExportedPolicyOrOpenMpsDefault() {
        String unset = "default (OpenMP's; export OMP_WAIT_POLICY=passive to change)";
        assertEquals(unset, OpenMpWaitPolicy.describe(Map.of()));
        assertEquals(unset, OpenMpWaitPolicy.describe(Map.of(OpenMpWaitPolicy.VARIABLE, " ")));
        assertEquals("passive (from the environment)",
                OpenMpWaitPolicy.describe(Map.of(OpenMpWaitPolicy.VARIABLE, "passive")));
    }
}
