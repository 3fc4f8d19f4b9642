package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.bench.StepProfile.Category;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepProfileTest {

    @Test
    void framesAreChargedToTheirCategory() {
        assertEquals(Category.CONV_FWD, StepProfile.categorise("io.github.nola4j.layers.Conv2dOps", "forward"));
        assertEquals(Category.CONV_BWD, StepProfile.categorise("io.github.nola4j.layers.Conv2dOps", "inputGradient"));
        assertEquals(Category.CONV_BWD, StepProfile.categorise("io.github.nola4j.layers.FactorisedConvStep", "backprop"));
        assertEquals(Category.CONV_FWD,
                StepProfile.categorise("org.deeplearning4j.nn.layers.convolution.ConvolutionLayer", "preOutput"));
        assertEquals(Category.CONV_BWD,
                StepProfile.categorise("org.deeplearning4j.nn.layers.convolution.ConvolutionLayer", "backpropGradient"));
        assertEquals(Category.BATCHNORM,
                StepProfile.categorise("org.deeplearning4j.nn.layers.normalization.BatchNormalization", "activate"));
        assertEquals(Category.ACTIVATIONS,
                StepProfile.categorise("org.nd4j.linalg.activations.impl.ActivationReLU", "backprop"));
        assertEquals(Category.UPDATER,
                StepProfile.categorise("org.nd4j.linalg.learning.AdamUpdater", "applyUpdater"));
        assertEquals(Category.NOLA_COEFFICIENTS, StepProfile.categorise("io.github.nola4j.layers.NolaLayer", "factors"));
        assertNull(StepProfile.categorise("org.deeplearning4j.nn.graph.ComputationGraph", "fit"));
        assertNull(StepProfile.categorise("io.github.nola4j.layers.Conv2dOps", "config"));
    }

    @Test
    void profileLineHasEveryCategoryAndSamples() {
        String line = StepProfile.profile("busy", () -> {
            long end = System.nanoTime() + 30_000_000L;
            double x = 0;
            while (System.nanoTime() < end) {
                x += Math.sqrt(x + 1);
            }
            if (x < 0) {
                throw new AssertionError();
            }
        }, 2);
        assertTrue(line.startsWith("profile busy step_ms="), line);
        for (Category c : Category.values()) {
            assertTrue(line.contains(" " + c.label + "="), line);
        }
        assertTrue(line.matches(".*\\(JFR, [1-9][0-9]* samples over 2 steps\\)"), line);
    }
}
