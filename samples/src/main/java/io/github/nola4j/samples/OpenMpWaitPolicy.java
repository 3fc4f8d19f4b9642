package io.github.nola4j.samples;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.util.Map;

/**
 * Lets libnd4j's OpenMP threads sleep between parallel regions ({@code OMP_WAIT_POLICY=passive}) unless the
 * user chose a policy. libnd4j 1.0.0-M2.1 runs its element-wise ops on GNU OpenMP, and its matrix products
 * on OpenBLAS 0.3.19's own pthreads pool; by default an idle OpenMP thread spins for a while before it
 * sleeps, so on a 2-core machine the spinning OpenMP worker shares a core with OpenBLAS's worker during the
 * next product, which then takes about twice as long. The dense bench step's median sat at twice its p10;
 * on a loaded machine the default policy made the step 5-20x slower than the passive one.
 *
 * <p>GNU OpenMP reads the variable once, when ND4J loads its native library, so {@link #applyBeforeNd4j}
 * must run before the first use of ND4J; it sets the variable in the process's environment (libc
 * {@code setenv}, through JNA, which ND4J already depends on). A value the user exported wins.
 */
public final class OpenMpWaitPolicy {

    /** The environment variable GNU OpenMP reads. */
    public static final String VARIABLE = "OMP_WAIT_POLICY";
    /** The policy set when the user set none. */
    public static final String PASSIVE = "passive";

    /** What {@link #applyBeforeNd4j} did, for the bench's configuration line. */
    private static String applied = "not set";

    /** libc's environment functions. */
    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    private OpenMpWaitPolicy() {
    }

    /**
     * @param environment the process's environment as the JVM started with it
     * @return the policy to set, or null when the user already chose one
     */
    static String policyToSet(Map<String, String> environment) {
        String chosen = environment.get(VARIABLE);
        return chosen == null || chosen.isBlank() ? PASSIVE : null;
    }

    /**
     * Sets {@value #VARIABLE} to {@value #PASSIVE} unless the user set it; call before ND4J loads. Where libc
     * cannot be reached the samples run with OpenMP's default, as before, and {@link #describe} says so.
     */
    public static void applyBeforeNd4j() {
        String policy = policyToSet(System.getenv());
        if (policy == null) {
            applied = System.getenv(VARIABLE) + " (from the environment)";
            return;
        }
        try {
            int status = libc().setenv(VARIABLE, policy, 1);
            applied = status == 0 ? policy + " (set by nola-samples; export " + VARIABLE + " to choose)"
                    : "OpenMP's default (setenv returned " + status + ")";
        } catch (LinkageError | RuntimeException e) { // no JNA native support here: run with OpenMP's default
            applied = "OpenMP's default (libc not reachable through JNA: " + e + ")";
        }
    }

    /** @return the policy in the process's native environment, as OpenMP reads it, or null */
    static String nativeValue() {
        return libc().getenv(VARIABLE);
    }

    /** @return the policy in effect and where it came from */
    public static String describe() {
        return applied;
    }

    private static LibC libc() {
        return (LibC) Native.loadLibrary("c", LibC.class);
    }
}
