package io.github.nola4j.layers;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Drops the "Added differentiated op ..." lines that SameDiff 1.0.0-M2.1 prints to
 * {@code System.out} for every op while it builds a gradient function (about 1,000 lines for a
 * ResNet-50 with every convolution adapted), and forwards every other line unchanged.
 */
public final class DifferentiationLogFilter {

    private static final String NOISE = "Added differentiated op ";

    private DifferentiationLogFilter() {
    }

    /** Runs {@code action} with SameDiff's differentiation lines filtered out of stdout. */
    public static synchronized void run(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
            for (String line : captured.toString(StandardCharsets.UTF_8).split("\n", -1)) {
                if (!line.isEmpty() && !line.startsWith(NOISE)) {
                    original.println(line);
                }
            }
        }
    }
}
