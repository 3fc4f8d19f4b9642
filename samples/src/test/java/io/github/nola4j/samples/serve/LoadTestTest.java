package io.github.nola4j.samples.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short load test: 4 clients, 4 adapters, every phase, adapters added while serving; every answer checked. */
class LoadTestTest {

    @TempDir
    Path work;

    @Test
    void shortLoadTestPassesWithEveryAnswerChecked() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        LoadTest.Settings s = new LoadTest.Settings(ServedModel.of("cnn", 0, null), 4, 4, 60, 30, 8, 6, 1e-5, true,
                50, new ServerStart.Tuning(ServerStart.Engine.MIXED, 2, 2000, 64, 1L << 20, 1), 1 << 20);
        boolean passed = LoadTest.run(s, work, out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(passed, text);
        for (String phase : new String[] {"mixed", "bank", "one-adapter"}) {
            assertTrue(text.contains("phase=" + phase + " ") && text.contains("errors=0 wrong=0"), text);
        }
        assertTrue(text.matches("(?s).*phase=mixed .*requests=60 .*adds=\\d+.*"), text);
        // the batch and HTTP threads' Java heap per request is measured (non-zero: they allocate while answering)
        assertTrue(text.matches("(?s).*phase=mixed runs=.*heap_kb_per_request batch=[1-9][0-9.]* http=[1-9][0-9.]*.*"),
                text);
        assertTrue(text.contains("loadtest PASS"), text);
    }
}
