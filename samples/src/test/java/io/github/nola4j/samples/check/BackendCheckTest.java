package io.github.nola4j.samples.check;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendCheckTest {

    @Test
    void allCoreChecksPassOnThisBackend() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int failures = BackendCheck.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, failures, out);
        assertEquals(6, out.lines().filter(l -> l.contains(" PASS ")).count(), out);
        assertTrue(out.contains("gpu-check: backend CpuBackend"), out);
    }
}
