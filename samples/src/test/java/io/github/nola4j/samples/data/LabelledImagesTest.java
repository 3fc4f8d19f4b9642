package io.github.nola4j.samples.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelledImagesTest {

    private final LabelledImages all = FashionMnist.loadSubset().train();

    @Test
    void onlyClassesRelabelsInGivenOrder() {
        LabelledImages target = all.onlyClasses(new int[] {9, 5, 7});
        assertEquals(300, target.size());
        assertArrayEquals(new int[] {100, 100, 100}, target.classCounts());
        // the first image of class 9 in the subset is now label 0, with the same pixels
        int first9 = 0;
        while (all.labels()[first9] != 9) {
            first9++;
        }
        int firstNew0 = 0;
        while (target.labels()[firstNew0] != 0) {
            firstNew0++;
        }
        assertArrayEquals(all.features(new int[] {first9}).data().asFloat(),
                target.features(new int[] {firstNew0}).data().asFloat());
    }

    @Test
    void onlyClassesRejectsAbsentAndRepeatedClasses() {
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> all.onlyClasses(new int[] {5, 42}));
        assertTrue(absent.getMessage().contains("class 42 has no image"), absent.getMessage());
        assertThrows(IllegalArgumentException.class, () -> all.onlyClasses(new int[] {5, 5}));
    }

    @Test
    void shotsArePerClassSeededAndDistinct() {
        LabelledImages target = all.onlyClasses(new int[] {5, 6, 7, 8, 9});
        LabelledImages shots = target.sampleShots(10, 1);
        assertEquals(50, shots.size());
        assertArrayEquals(new int[] {10, 10, 10, 10, 10}, shots.classCounts());
        assertEquals(shots, target.sampleShots(10, 1));
        assertNotEquals(shots, target.sampleShots(10, 2));
        assertEquals(500, target.sampleShots(100, 3).size());
    }

    @Test
    void tooManyShotsIsExplained() {
        LabelledImages target = all.onlyClasses(new int[] {5, 6});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.sampleShots(101, 1));
        assertTrue(e.getMessage().contains("--shots 101") && e.getMessage().contains("only 100"), e.getMessage());
    }

    @Test
    void featuresAreScaledToUnitRange() {
        float[] f = all.features(new int[] {0, 1}).data().asFloat();
        assertEquals(2 * 28 * 28, f.length);
        for (float v : f) {
            assertTrue(v >= 0 && v <= 1);
        }
        assertArrayEquals(new long[] {2, 1, 28, 28}, all.features(new int[] {0, 1}).shape());
    }
}
