package io.github.nola4j.samples.spark;

import io.github.nola4j.samples.UsageException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The spark command's options. */
class SparkSettingsTest {

    private static final Path WORK = Path.of("w");

    @Test
    void defaultsAreTheSamplesTaskOnTwoLocalWorkers() {
        SparkSettings s = SparkSettings.parse(new String[0], WORK);
        assertNull(s.master());
        assertEquals(2, s.workers());
        assertEquals(200, s.steps());
        assertEquals(100, s.shots());
        assertEquals(64, s.bases());
        assertEquals(40, s.rounds());
        assertArrayEquals(new long[] {1}, s.seeds());
        assertEquals(WORK, s.work());
        assertNull(s.base());
    }

    @Test
    void readsEveryOption() {
        SparkSettings s = SparkSettings.parse(new String[] {"--master", "local[4]", "--workers", "4",
                "--steps-per-round", "10", "--steps", "100", "--shots", "10", "--bases", "256", "--seeds", "1,2,3",
                "--base", "b.zip"}, WORK);
        assertEquals("local[4]", s.master());
        assertEquals(4, s.workers());
        assertEquals(10, s.rounds());
        assertEquals(10, s.shots());
        assertEquals(256, s.bases());
        assertArrayEquals(new long[] {1, 2, 3}, s.seeds());
        assertEquals(Path.of("b.zip"), s.base());
    }

    @Test
    void badValuesNameTheOptionAndTheFix() {
        UsageException e = assertThrows(UsageException.class,
                () -> SparkSettings.parse(new String[] {"--workers", "0"}, WORK));
        assertTrue(e.getMessage().contains("--workers 0 must be a whole number > 0"), e.getMessage());
        e = assertThrows(UsageException.class,
                () -> SparkSettings.parse(new String[] {"--steps", "12", "--steps-per-round", "5"}, WORK));
        assertTrue(e.getMessage().contains("use e.g. --steps 15"), e.getMessage());
        e = assertThrows(UsageException.class, () -> SparkSettings.parse(new String[] {"--epochs", "2"}, WORK));
        assertTrue(e.getMessage().contains("unknown option --epochs"), e.getMessage());
        e = assertThrows(UsageException.class, () -> SparkSettings.parse(new String[] {"--seeds"}, WORK));
        assertTrue(e.getMessage().contains("--seeds needs a value"), e.getMessage());
    }
}
