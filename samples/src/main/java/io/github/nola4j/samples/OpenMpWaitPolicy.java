package io.github.nola4j.samples;

import java.util.Map;

/**
 * Names the OpenMP wait policy libnd4j runs with, for the bench's configuration line. libnd4j 1.0.0-M2.1 runs
 * its element-wise ops on GNU OpenMP and its matrix products on OpenBLAS's own pthreads. With OpenMP's default
 * an idle OpenMP thread spins for a while before it sleeps; {@code OMP_WAIT_POLICY=passive} makes it sleep at
 * once. Measured on a quiet 2-core machine, passive made the dense bench step's median faster (5.4 against
 * 6.7-8.0 ms) and ResNet50 slower (NOLA step 303-370 against 235 ms), so the samples leave the choice to the
 * user: GNU OpenMP reads the variable once, when ND4J loads, so export it before starting the JVM.
 */
public final class OpenMpWaitPolicy {

    /** The environment variable GNU OpenMP reads. */
    public static final String VARIABLE = "OMP_WAIT_POLICY";

    private OpenMpWaitPolicy() {
    }

    /**
     * @param environment the process's environment
     * @return the policy in effect and where it came from
     */
    static String describe(Map<String, String> environment) {
        String chosen = environment.get(VARIABLE);
        return chosen == null || chosen.isBlank() ? "default (OpenMP's; export " + VARIABLE + "=passive to change)"
                : chosen + " (from the environment)";
    }

    /** @return the policy of this process and where it came from */
    public static String describe() {
        return describe(System.getenv());
    }
}
