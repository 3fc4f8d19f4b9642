package io.github.nola4j.samples;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The samples make OpenMP's idle threads sleep unless the user chose a wait policy. */
class OpenMpWaitPolicyTest {

    @Test
    void passiveOnlyWhenTheUserChoseNothing() {
        assertEquals(OpenMpWaitPolicy.PASSIVE, OpenMpWaitPolicy.policyToSet(Map.of()));
        assertEquals(OpenMpWaitPolicy.PASSIVE, OpenMpWaitPolicy.policyToSet(Map.of(OpenMpWaitPolicy.VARIABLE, " ")));
        assertNull(OpenMpWaitPolicy.policyToSet(Map.of(OpenMpWaitPolicy.VARIABLE, "active")));
    }

    @Test
    void theNativeEnvironmentHoldsThePolicy() {
        String exported = System.getenv(OpenMpWaitPolicy.VARIABLE);
        OpenMpWaitPolicy.applyBeforeNd4j();
        if (exported == null || exported.isBlank()) {
            assertEquals(OpenMpWaitPolicy.PASSIVE, OpenMpWaitPolicy.nativeValue());
            assertTrue(OpenMpWaitPolicy.describe().startsWith("passive (set by nola-samples"),
                    OpenMpWaitPolicy.describe());
        } else {
            assertEquals(exported, OpenMpWaitPolicy.nativeValue());
            assertTrue(OpenMpWaitPolicy.describe().contains("from the environment"), OpenMpWaitPolicy.describe());
        }
    }
}
