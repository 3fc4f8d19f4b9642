package io.github.nola4j.samples.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a training step's time goes, by sampling the stepping thread with Java Flight Recorder
 * (execution samples and native-method samples every {@link #PERIOD}): each sample is charged to
 * the innermost frame of its stack that names a {@link Category}, else to {@code rest}; a
 * category's time per step is its share of the samples times the measured mean step time.
 * libnd4j's worker threads are not Java threads: while they run, the stepping thread waits in the
 * native call that started them, and is sampled there.
 */
final class StepProfile {

    static final Duration PERIOD = Duration.ofMillis(5);

    /** What a sample is charged to, in the order of the printed line. */
    enum Category {
        CONV_FWD("conv_fwd"),
        CONV_BWD("conv_bwd"),
        BATCHNORM("batchnorm"),
        ACTIVATIONS("activations"),
        UPDATER("updater"),
        NOLA_COEFFICIENTS("nola_coefficients"),
        REST("rest");

        final String label;

        Category(String label) {
            this.label = label;
        }
    }

    private StepProfile() {
    }

    /**
     * Runs {@code step} {@code steps} times under the recorder.
     *
     * @return {@code profile <name> step_ms=.. conv_fwd=.. conv_bwd=.. batchnorm=.. activations=..
     *         updater=.. nola_coefficients=.. rest=..}, milliseconds per step
     */
    static String profile(String name, Runnable step, int steps) {
        Path file;
        long elapsed;
        try (Recording recording = recorder()) {
            recording.start();
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            elapsed = System.nanoTime() - start;
            recording.stop();
            file = Files.createTempFile("nola-bench-profile", ".jfr");
            recording.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the flight recording: " + e.getMessage(), e);
        }
        Map<Category, Integer> counts = count(file, Thread.currentThread().getName());
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind does no harm
        }
        return line(name, counts, elapsed, steps);
    }

    /** @return a recording, not yet started, of the Java and native-method samples with their stacks */
    static Recording recorder() {
        Recording recording = new Recording();
        recording.enable("jdk.ExecutionSample").withPeriod(PERIOD).withStackTrace();
        recording.enable("jdk.NativeMethodSample").withPeriod(PERIOD).withStackTrace();
        return recording;
    }

    /**
     * @param counts  samples per category
     * @param elapsed nanoseconds the {@code steps} took together
     * @return the line {@link #profile} prints: each category's share of the samples times the mean step time
     */
    static String line(String name, Map<Category, Integer> counts, long elapsed, int steps) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        double stepMs = elapsed / 1e6 / steps;
        StringBuilder line = new StringBuilder(String.format("profile %s step_ms=%.1f", name, stepMs));
        for (Category c : Category.values()) {
            double share = total == 0 ? 0 : counts.getOrDefault(c, 0) / (double) total;
            line.append(String.format(" %s=%.1f", c.label, share * stepMs));
        }
        return line.append(String.format("  (JFR, %d samples over %d steps)", total, steps)).toString();
    }

    private static Map<Category, Integer> count(Path file, String threadName) {
        Map<Category, Integer> counts = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            counts.put(c, 0);
        }
        try {
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getThread("sampledThread") == null
                        || !threadName.equals(event.getThread("sampledThread").getJavaName())
                        || event.getStackTrace() == null) {
                    continue;
                }
                counts.merge(categorise(event.getStackTrace()), 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the flight recording: " + e.getMessage(), e);
        }
        return counts;
    }

    /** @return the category of the innermost frame that names one, else {@link Category#REST} */
    static Category categorise(RecordedStackTrace stack) {
        List<RecordedFrame> frames = stack.getFrames();
        for (RecordedFrame frame : frames) {
            if (frame.getMethod() == null) {
                continue;
            }
            Category c = categorise(frame.getMethod().getType().getName(), frame.getMethod().getName());
            if (c != null) {
                return c;
            }
        }
        return Category.REST;
    }

    /** @return the category a frame names, or null */
    static Category categorise(String type, String method) {
        boolean nolaConv = type.startsWith("io.github.nola4j.layers.") && (type.endsWith("Conv2dOps")
                || type.endsWith("ConvStep"));
        boolean dl4jConv = type.startsWith("org.deeplearning4j.nn.layers.convolution.ConvolutionLayer")
                || type.startsWith("org.deeplearning4j.nn.layers.mkldnn.MKLDNNConv");
        if (nolaConv || dl4jConv) {
            if (method.contains("backprop") || method.contains("inputGradient")) {
                return Category.CONV_BWD;
            }
            if (method.equals("forward") || method.equals("preOutput") || method.equals("<init>")) {
                return Category.CONV_FWD;
            }
            return null;
        }
        if (type.contains("BatchNorm") || type.endsWith(".FrozenInferenceRuntime")) {
            return Category.BATCHNORM;
        }
        if (type.startsWith("org.nd4j.linalg.activations.") || type.endsWith(".ActivationLayer")
                || type.endsWith(".FrozenActivation")) {
            return Category.ACTIVATIONS;
        }
        if (type.startsWith("org.deeplearning4j.nn.updater.") || type.startsWith("org.nd4j.linalg.learning.")) {
            return Category.UPDATER;
        }
        if (type.startsWith("io.github.nola4j.layers.") && (method.equals("factors")
                || method.equals("trainableGradients") || type.endsWith(".FamilyProduct"))) {
            return Category.NOLA_COEFFICIENTS;
        }
        return null;
    }
}
