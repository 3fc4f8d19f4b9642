package io.github.nola4j.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.nola4j.samples.check.BackendFailure;
import io.github.nola4j.samples.train.ProgressBar;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line rejects bad arguments with a message that says what to do, before any training. */
class SamplesMainTest {

    @TempDir
    Path dir;

    private String stdout;
    private String stderr;

    private int run(String... args) {
        CliRun r = CliRun.of(args);
        stdout = r.stdout();
        stderr = r.stderr();
        return r.status();
    }

    private void assertError(int expectedStatus, int status, String... parts) {
        assertEquals(expectedStatus, status, stderr);
        for (String part : parts) {
            assertTrue(stderr.contains(part), () -> "\"" + part + "\" missing from: " + stderr);
        }
    }

    @Test
    void unknownMethod() {
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--method", "adapterz"),
                "unknown method \"adapterz\"", "nola|lora|head|full");
    }

    @Test
    void badRank() {
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--method", "lora", "--rank", "0"),
                "--rank 0 must be at least 1");
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--rank", "two"), "--rank two is not a whole number");
    }

    @Test
    void badBits() {
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--save", "a.nola", "--bits", "5"),
                "--bits 5 is not supported; use one of 32, 8, 4, 3, 2");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--bits", "4"), "add --save FILE");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--method", "lora", "--save", "a.nola"),
                "--method nola only", "--export");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--qat-bits", "9"), "from 2 to 8");
    }

    @Test
    void badMethodsList() {
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--methods", "head,adapterz"),
                "unknown method \"adapterz\" in --methods", "nola<k>");
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--methods", "nola"), "needs a size");
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--methods", "head4"), "takes no size");
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--methods", "nola64,nola64"), "repeated");
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--methods", "lora1@fast"), "positive number");
        assertError(SamplesMain.EXIT_USAGE, run("compare", "--shots", "5,x"), "comma-separated list");
        assertError(SamplesMain.EXIT_USAGE, run("quantize", "--seeds", "1,1"), "repeated");
    }

    @Test
    void badClasses() {
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--classes", "5,six"), "--classes 5,six",
                "comma-separated", "5,6,7,8,9");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--classes", "5,5"), "repeated");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--classes", "5"), "at least 2");
        assertError(SamplesMain.EXIT_USAGE, run("demo", "--classes", "5,300"), "out of range");
    }

    @Test
    void classAbsentFromTheData() {
        assertError(SamplesMain.EXIT_DATA, run("finetune", "--quiet", "--classes", "5,12", "--data",
                subsetDir().toString(), "--base", dir.resolve("none.zip").toString()), "not found");
    }

    @Test
    void missingDataDir() {
        Path missing = dir.resolve("no-such-dir");
        assertError(SamplesMain.EXIT_DATA, run("pretrain", "--data", missing.toString()), missing.toString(),
                "does not exist", "Point --data at");
    }

    @Test
    void badNumbersAndOptions() {
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--shots", "0"), "--shots 0 must be at least 1");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--steps", "many"), "not a whole number");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--lr", "-1"), "positive number");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--data"), "--data needs a value");
        assertError(SamplesMain.EXIT_USAGE, run("pretrain", "--method", "nola"), "does not apply to pretrain");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--colour", "red"), "unknown option \"--colour\"");
        assertError(SamplesMain.EXIT_USAGE, run("train"), "unknown command \"train\"");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--seed", "1", "--seed", "2"), "given twice");
    }

    @Test
    void helpListsEveryCommandAndOption() {
        assertEquals(0, run("--help"));
        for (Option o : Option.values()) {
            assertTrue(stdout.contains(o.flag()), o.flag());
        }
        for (Command c : Command.values()) {
            assertTrue(stdout.contains(c.cliName()), c.cliName());
        }
    }

    static Path subsetDir() {
        try {
            return Path.of(SamplesMainTest.class.getResource("/fashion-mnist-subset/").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void commandHelpListsThatCommandsOptionsAndRunsNothing() {
        assertEquals(0, run("finetune", "--help"), stderr);
        assertTrue(stdout.contains("--method") && stdout.contains("--save FILE"), stdout);
        assertFalse(stdout.contains("--scenario"), "bench's options listed for finetune: " + stdout);
        assertEquals(0, run("gpu-check", "--help"), stderr);
        assertTrue(stdout.contains("--no-bench"), stdout);
        assertFalse(stdout.contains("PASS") || stdout.contains("gpu-check: backend"), "checks ran: " + stdout);
        assertEquals(0, run("bench", "--help"), stderr);
        assertTrue(stdout.contains("--scenario NAME") && stdout.contains("--warmup N"), stdout);
    }

    @Test
    void unknownCommandListsEveryCommand() {
        assertError(SamplesMain.EXIT_USAGE, run("train"), "unknown command \"train\"", "zoo", "bench", "gpu-check");
        assertTrue(SamplesMain.usage().contains("gpu-check") && SamplesMain.usage().contains("--no-bench"));
    }

    @Test
    void outputPathsAreCheckedBeforeAnyWork() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("file.txt"), "x");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--save", notAFolder.resolve("a.nola").toString()),
                "--save", "is a file, not a folder");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--method", "full", "--export", dir.toString()),
                "--export", "is a folder, not a file");
        assertError(SamplesMain.EXIT_USAGE, run("finetune", "--work", notAFolder.resolve("cache").toString()),
                "--work", "is a file, not a folder");
        assertError(SamplesMain.EXIT_USAGE, run("demo", "--work", notAFolder.toString()),
                "--work", "is a file, not a folder");
        assertEquals("", stdout, "work started before the check");
    }

    @Test
    void badBaseFileOfTheUserIsNotCalledACacheToDelete() throws Exception {
        Path bad = Files.writeString(dir.resolve("base.zip"), "not a model");
        assertError(SamplesMain.EXIT_DATA, run("finetune", "--quiet", "--base", bad.toString(), "--steps", "1"),
                "is not a MultiLayerNetwork saved by DL4J's ModelSerializer", "pass a base written by the pretrain");
        assertFalse(stderr.contains("delete it"), stderr);
    }

    @Test
    void backendThatCannotStartIsOneLineWithTheFix() {
        RuntimeException cuda = new RuntimeException("ND4J backend failed",
                new ExceptionInInitializerError(new UnsatisfiedLinkError("no jnicudart in java.library.path")));
        String text = BackendFailure.describe(cuda);
        assertTrue(text != null && text.contains("no jnicudart") && text.contains("-Pcuda"), text);
        assertFalse(text.contains("\n"), text);
        assertNull(BackendFailure.describe(new IllegalStateException("unrelated", new RuntimeException("x"))));
    }

    @Test
    void progressWritesPlainLinesWithTimeLeftIntoFiles() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new java.io.PrintStream(bytes, true), "", 1, false).next("train", 50);
        for (int i = 1; i <= 50; i++) {
            bar.update(i, "loss 0.1");
        }
        String text = bytes.toString();
        assertFalse(text.contains("\r"), "carriage return in a non-terminal stream");
        assertEquals(10, text.lines().count(), text);
        assertTrue(text.contains("train 50/50 (100 %)") && text.contains("ETA"), text);
        assertEquals("ETA 30s", ProgressBar.timeLeft(10, 10.0, 40));
        assertEquals("ETA 2.5min", ProgressBar.timeLeft(1, 10.0, 16));
        assertEquals("ETA ?", ProgressBar.timeLeft(0, 0.0, 16));
        java.io.ByteArrayOutputStream tty = new java.io.ByteArrayOutputStream();
        new ProgressBar(new java.io.PrintStream(tty, true), "t", 2, true).update(2, "");
        assertTrue(tty.toString().startsWith("\r"), tty.toString());
    }
}
