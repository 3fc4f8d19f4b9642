package io.github.nola4j.samples.zoo;

import io.github.nola4j.samples.CliRun;
import io.github.nola4j.samples.SamplesMain;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.IdxReader;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code zoo} command through the command line: a tiny ResNet50 run and its argument checks.
 * The run uses 4 training and 8 test images of classes 5 and 6 from the shipped subset, written as
 * IDX files: ResNet50 at 96×96 takes seconds per batch on 2 shared cores.
 */
class ZooCommandTest {

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

    @Test
    void finetunesResNet50AndPrintsStepTimeMemoryAndAccuracy() throws IOException {
        int status = run("zoo", "--quiet", "--steps", "4", "--shots", "2", "--classes", "5,6", "--size", "96",
                "--bases", "8", "--data", tinyData(4, 8).toString());
        assertEquals(0, status, stdout + stderr);
        Matcher accuracy = Pattern.compile("test accuracy +([0-9.]+) % \\((\\d+) test images\\)").matcher(stdout);
        assertTrue(accuracy.find(), stdout);
        double percent = Double.parseDouble(accuracy.group(1));
        assertTrue(Double.isFinite(percent) && percent >= 0 && percent <= 100, stdout);
        assertEquals("16", accuracy.group(2), "all 8 test images of each class");
        assertTrue(Pattern.compile("time per step +median \\d+ ms, p10 \\d+ ms, p90 \\d+ ms \\(1 steps")
                .matcher(stdout).find(), stdout);
        assertTrue(Pattern.compile("memory +JVM heap used [0-9.,]+ MB, process physical [0-9.,]+ MB, JavaCPP "
                + "totalBytes [0-9.,]+ MB .*, NOLA bases [0-9.,]+ MB").matcher(stdout).find(), stdout);
        assertTrue(stdout.contains("k = l = 8 on 53 convolutions"), stdout);
    }

    @Test
    void rejectsSizesStepsAndClassesItCannotRun() {
        assertEquals(SamplesMain.EXIT_USAGE, run("zoo", "--size", "64"));
        assertTrue(stderr.contains("--size 64 is too small") && stderr.contains("use --size 96 or more"), stderr);
        assertEquals(SamplesMain.EXIT_USAGE, run("zoo", "--pretrained", "--size", "96"));
        assertTrue(stderr.contains("--size 96 does not fit --pretrained") && stderr.contains("--size 224"), stderr);
        assertEquals(SamplesMain.EXIT_USAGE, run("zoo", "--steps", "3"));
        assertTrue(stderr.contains("--steps 3 must be at least 4"), stderr);
        assertEquals(SamplesMain.EXIT_USAGE, run("zoo", "--classes", "5"));
        assertTrue(stderr.contains("--classes 5 names 1 class") && stderr.contains("at least 2"), stderr);
    }

    /** @return a folder of IDX files with the first images of classes 5 and 6 of the shipped subset */
    private Path tinyData(int trainPerClass, int testPerClass) throws IOException {
        TrainTestData subset = FashionMnist.loadSubset();
        writeIdx(firstOfClasses(subset.train(), trainPerClass), "train");
        writeIdx(firstOfClasses(subset.test(), testPerClass), "t10k");
        return dir;
    }

    private static LabelledImages firstOfClasses(LabelledImages images, int perClass) {
        int[] labels = images.labels();
        return images.select(IntStream.of(5, 6).flatMap(c -> IntStream.range(0, images.size())
                .filter(i -> labels[i] == c).limit(perClass)).toArray());
    }

    private void writeIdx(LabelledImages images, String split) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(
                dir.resolve(split + "-images-idx3-ubyte")))) {
            out.writeInt(IdxReader.IMAGES_MAGIC);
            out.writeInt(images.size());
            out.writeInt(images.rows());
            out.writeInt(images.cols());
            out.write(images.pixels());
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(
                dir.resolve(split + "-labels-idx1-ubyte")))) {
            out.writeInt(IdxReader.LABELS_MAGIC);
            out.writeInt(images.size());
            for (int label : images.labels()) {
                out.writeByte(label);
            }
        }
    }
}
