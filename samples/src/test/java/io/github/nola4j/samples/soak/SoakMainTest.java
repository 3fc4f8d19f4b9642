package io.github.nola4j.samples.soak;

import io.github.nola4j.samples.CliRun;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakMainTest {

    private static String error(String... args) {
        return CliRun.usageError("soak", args);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertTrue(error("--scenario", "gpu").contains("--scenario gpu is not one of [merge, train]"));
        assertTrue(error("--cycles", "0").contains("--cycles 0"));
        assertTrue(error("--limit-mb", "lots").contains("lots is not a whole number"));
        assertTrue(error("--fast").contains("unknown option \"--fast\""));
        assertTrue(error("--warmup").contains("needs a value"));
        assertTrue(error("--steps", "5").contains("does not apply to soak"));
    }

    @Test
    void trainingSoakReportsTimeMemoryFrozenWeightsAndAVerdict() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean passed = SoakMain.run("train", 3, 1, 1000, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("soak train scenario=conv (bench)"), out);
        assertTrue(Pattern.compile("soak train rss_mb warm=\\d+ peak=\\d+ end=\\d+ collected=\\d+ growth=-?\\d+ retained_growth=-?\\d+").matcher(out).find(), out);
        assertTrue(out.contains("frozen_W_b_bit_identical=true"), out);
        assertTrue(passed && out.contains("soak train verdict=PASS"), out);
    }
}
