package io.github.nola4j.examples;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.model.LeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Runs the README's round trip and keeps the README's copy of it verbatim. */
class RoundTripExampleTest {

    private static final Path SOURCE = Path.of("src/test/java/io/github/nola4j/examples/RoundTripExample.java");
    private static final Path README = Path.of("../README.md");

    @Test
    void roundTripRestoresTheTrainedNetworkFromBaseAndFile(@TempDir Path dir) throws Exception {
        Model base = LeNet.builder().numClasses(10).seed(1).build().init();
        DataSet train = randomImages(64, 5, 7);
        INDArray baseParams = ((MultiLayerNetwork) base).params().dup();
        Path file = dir.resolve("task.nola");
        MultiLayerNetwork[] nets = RoundTripExample.run(base, train, file);

        assertEquals(baseParams, ((MultiLayerNetwork) base).params(), "the base was changed");
        INDArray x = randomImages(16, 5, 8).getFeatures();
        INDArray trained = nets[0].output(x, false);
        INDArray restored = nets[1].output(x, false);
        assertArrayEquals(new long[] {16, 5}, trained.shape());
        double diff = trained.sub(restored).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "restored network differs from the trained one by " + diff);
        // the adapter is small: 4-bit coefficients, the new head's 500·5 + 5 values at 32 bits, settings
        long size = Files.size(file);
        assertTrue(size < 4 * 2_505 + 3_000, "adapter file has " + size + " bytes");
    }

    @Test
    void readmeQuotesTheRoundTripVerbatimInFifteenLinesAtMost() throws Exception {
        List<String> source = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
        int start = source.indexOf("        // round-trip:start");
        int end = source.indexOf("        // round-trip:end");
        assertTrue(start >= 0 && end > start, "markers missing in " + SOURCE);
        List<String> snippet = source.subList(start + 1, end).stream().map(l -> l.substring(8)).toList();
        assertTrue(snippet.size() <= 15, "the round trip takes " + snippet.size() + " lines");
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertTrue(readme.contains(String.join("\n", snippet)),
                "README.md must quote the round trip of RoundTripExample.java verbatim:\n" + String.join("\n", snippet));
    }

    /** n random 1x28x28 images (LeNet's input) with one-hot labels of {@code classes} classes. */
    private static DataSet randomImages(int n, int classes, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[n * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        INDArray features = Nd4j.create(pixels, new long[] {n, 1, 28, 28}, DataType.FLOAT);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, random.nextInt(classes), 1f);
        }
        return new DataSet(features, labels);
    }
}
