package io.github.nola4j.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
