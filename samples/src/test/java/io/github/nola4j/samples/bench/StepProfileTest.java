package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.bench.StepProfile.Category;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepProfileTest {

    @Test
    void framesAreChargedToTheirCategory() {
        assertEquals(Category.CONV_FWD, StepProfile.categorise("io.github.nola4j.layers.ops.Conv2dOps", "forward"));
        assertEquals(Category.CONV_BWD, StepProfile.categorise("io.github.nola4j.layers.ops.Conv2dOps", "inputGradient"));
        assertEquals(Category.CONV_BWD, StepProfile.categorise("io.github.nola4j.layers.ops.FactorisedConvStep", "backprop"));
        assertEquals(Category.CONV_FWD,
                StepProfile.categorise("org.deeplearning4j.nn.layers.convolution.ConvolutionLayer", "preOutput"));
        assertEquals(Category.CONV_BWD,
                StepProfile.categorise("org.deeplearning4j.nn.layers.convolution.ConvolutionLayer", "backpropGradient"));
        assertEquals(Category.BATCHNORM,
                StepProfile.categorise("org.deeplearning4j.nn.layers.normalization.BatchNormalization", "activate"));
        assertEquals(Category.ACTIVATIONS,
                StepProfile.categorise("org.nd4j.linalg.activations.impl.ActivationReLU", "backprop"));
        assertEquals(Category.ACTIVATIONS, StepProfile.categorise("io.github.nola4j.zoo.FrozenActivation", "activate"));
        assertEquals(Category.UPDATER,
                StepProfile.categorise("org.nd4j.linalg.learning.AdamUpdater", "applyUpdater"));
        assertEquals(Category.NOLA_COEFFICIENTS, StepProfile.categorise("io.github.nola4j.layers.NolaLayer", "factors"));
        assertEquals(Category.NOLA_COEFFICIENTS, StepProfile.categorise("io.github.nola4j.layers.FamilyProduct", "flush"));
        assertNull(StepProfile.categorise("org.deeplearning4j.nn.graph.ComputationGraph", "fit"));
        assertNull(StepProfile.categorise("io.github.nola4j.layers.ops.Conv2dOps", "config"));
    }

    /** What the profiler is given, not how many samples a machine's timing lets it catch. */
    @Test
    void recorderSamplesJavaAndNativeFramesWithStacksAtThePeriod() {
        try (Recording recording = StepProfile.recorder()) {
            Map<String, String> settings = recording.getSettings();
            for (String event : List.of("jdk.ExecutionSample", "jdk.NativeMethodSample")) {
                assertEquals("true", settings.get(event + "#enabled"), event + " in " + settings);
                assertEquals("true", settings.get(event + "#stackTrace"), event + " in " + settings);
                assertEquals(StepProfile.PERIOD.toNanos() + " ns", settings.get(event + "#period"), event);
            }
        }
    }

    @Test
    void lineChargesEachCategoryItsShareOfTheMeanStep() {
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        counts.put(Category.CONV_FWD, 3);
        counts.put(Category.REST, 1);
        String line = StepProfile.line("busy", counts, 40_000_000L, 2);
        assertEquals("profile busy step_ms=20.0 conv_fwd=15.0 conv_bwd=0.0 batchnorm=0.0 activations=0.0 updater=0.0"
                + " nola_coefficients=0.0 rest=5.0  (JFR, 4 samples over 2 steps)", line);
        assertEquals("profile idle step_ms=1.0 conv_fwd=0.0 conv_bwd=0.0 batchnorm=0.0 activations=0.0 updater=0.0"
                + " nola_coefficients=0.0 rest=0.0  (JFR, 0 samples over 3 steps)",
                StepProfile.line("idle", new EnumMap<>(Category.class), 3_000_000L, 3));
    }
}
