package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.CliRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchMainTest {

    private static String error(String... args) {
        return CliRun.usageError("bench", args);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertTrue(error("--scenario", "gpu").contains("--scenario gpu is not one of"));
        assertTrue(error("--steps", "5").contains("--steps 5 must be at least 20"));
        assertTrue(error("--steps", "many").contains("many is not a whole number"));
        assertTrue(error("--fast").contains("unknown option \"--fast\""));
        assertTrue(error("--scenario").contains("needs a value"));
    }

    @Test
    void timingReportsNearestRankPercentiles() {
        int[] calls = {0};
        Timing t = Timing.interleaved(Map.<String, Runnable>of("only", () -> calls[0]++), 2, 20).get("only");
        assertEquals(22, calls[0], "warm-up runs plus measured runs");
        assertEquals(20, t.samples().length);
        Timing fixed = Timing.of(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
        assertEquals(5, fixed.median());
        assertEquals(1, fixed.percentile(10));
        assertEquals(9, fixed.percentile(90));
        assertTrue(fixed.format().startsWith("median_ms=5.000 p10=1.000 p90=9.000"));
    }

    @Test
    void interleavedRunsEveryCaseOncePerRoundInRotatingOrder() {
        List<String> order = new ArrayList<>();
        Map<String, Runnable> cases = new LinkedHashMap<>();
        for (String name : List.of("a", "b", "c")) {
            cases.put(name, () -> order.add(name));
        }
        Map<String, Timing> t = Timing.interleaved(cases, 1, 20);
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(t.keySet()));
        assertEquals(63, order.size(), "(1 warm-up + 20 measured rounds) x 3 cases");
        assertEquals(List.of("a", "b", "c", "b", "c", "a", "c", "a", "b"), order.subList(0, 9));
        t.values().forEach(timing -> assertEquals(20, timing.samples().length));
    }

    @Test
    void configurationLineNamesBackendBlasThreadsAndDl4jHelpers() {
        String line = BenchMain.configuration();
        assertTrue(line.matches("bench config backend=CPU blas=\\S+ omp_threads=\\d+ omp_wait_policy=\\S+ .*dl4j_layer_helpers=(on|off) .*"),
                line);
        String before = System.getProperty(BenchMain.DL4J_HELPERS_DISABLE);
        try {
            System.setProperty(BenchMain.DL4J_HELPERS_DISABLE, "false");
            assertTrue(BenchMain.configuration().contains("dl4j_layer_helpers=on"), BenchMain.configuration());
            System.clearProperty(BenchMain.DL4J_HELPERS_DISABLE);
            assertTrue(BenchMain.configuration().contains("dl4j_layer_helpers=off (-D" + BenchMain.DL4J_HELPERS_DISABLE
                    + "=true (DL4J's default))"), BenchMain.configuration());
        } finally {
            if (before == null) {
                System.clearProperty(BenchMain.DL4J_HELPERS_DISABLE);
            } else {
                System.setProperty(BenchMain.DL4J_HELPERS_DISABLE, before);
            }
        }
    }
}
