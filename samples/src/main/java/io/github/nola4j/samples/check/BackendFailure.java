package io.github.nola4j.samples.check;

import java.util.HashSet;
import java.util.Set;

/**
 * Recognises an ND4J backend that cannot start (a jar built with {@code -Pcuda} on a machine
 * without CUDA, a missing native library, no backend on the class path) and says so in one line,
 * instead of the dozens of lines of nested stack traces the JVM would print.
 */
public final class BackendFailure {

    private BackendFailure() {
    }

    /**
     * @return a one-line explanation with the fix when {@code failure} (or one of its causes) is an
     * ND4J backend that failed to load, else null
     */
    public static String describe(Throwable failure) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            String type = t.getClass().getName();
            String message = String.valueOf(t.getMessage());
            boolean noBackend = type.endsWith("NoAvailableBackendException");
            boolean nativeLink = t instanceof UnsatisfiedLinkError
                    && (message.contains("nd4j") || message.contains("cuda") || message.contains("cudnn"));
            boolean nd4jInit = t instanceof NoClassDefFoundError && message.contains("org.nd4j");
            if (noBackend || nativeLink || nd4jInit) {
                return "the ND4J backend could not start (" + type.substring(type.lastIndexOf('.') + 1) + ": "
                        + firstLine(message) + "). A jar built with -Pcuda needs an NVIDIA GPU with CUDA 11.6 and"
                        + " cuDNN; on other machines build the CPU jar (mvn -pl samples -am package) and run that";
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
