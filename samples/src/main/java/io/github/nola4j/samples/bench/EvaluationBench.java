package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.cnn.CnnTransfer;
import io.github.nola4j.samples.cnn.ZooSimpleCnn;
import io.github.nola4j.zoo.NolaTransfer;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code evaluation} scenario: {@code evaluate} of 5,000 28x28 grey images in batches of 500 (as
 * the samples' compare evaluates) with DL4J's zoo SimpleCNN ({@link ZooSimpleCnn}, 5 classes) as
 * a transfer builds it: {@code head} (every layer below the new head frozen, on NolaTransfer's
 * libnd4j frozen runtimes), {@code nola} (NOLA on its nine convolutions, BatchNorm frozen on
 * libnd4j) and {@code dl4j} (the base network as DL4J runs it: what frozen layers cost before
 * they had their own runtimes). Each run is one whole evaluation, in ms.
 */
final class EvaluationBench {

    private static final int IMAGES = 5_000;
    private static final int BATCH = 500;
    private static final int CLASSES = 5;

    private EvaluationBench() {
    }

    /** @return evaluations timed per kind for {@code steps} training steps: a tenth, at least 3 */
    static int runs(int steps) {
        return Math.max(3, steps / 10);
    }

    static void run(PrintStream out, int warmup, int runs) {
        MultiLayerNetwork base = ZooSimpleCnn.create(CLASSES, 3);
        MultiLayerNetwork head = NolaTransfer.of(base).replaceHead(ZooSimpleCnn.HEAD, CLASSES).build().network();
        MultiLayerNetwork nola = NolaTransfer.of(base).replaceHead(ZooSimpleCnn.HEAD, CLASSES)
                .targetNames(CnnTransfer.adaptedLayers(base).toArray(String[]::new)).rank(4).numBases(256, 256)
                .build().network();
        Nd4j.getRandom().setSeed(5);
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < IMAGES; from += BATCH) {
            var labels = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
            for (int i = 0; i < BATCH; i++) {
                labels.putScalar(i, (from + i) % CLASSES, 1);
            }
            batches.add(new DataSet(Nd4j.rand(DataType.FLOAT, BATCH, 1, 28, 28), labels));
        }
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("dl4j", () -> base.evaluate(new ExistingDataSetIterator(batches)));
        cases.put("head", () -> head.evaluate(new ExistingDataSetIterator(batches)));
        cases.put("nola", () -> nola.evaluate(new ExistingDataSetIterator(batches)));
        Map<String, Timing> timings = Timing.interleaved(cases, warmup, runs);
        timings.forEach((kind, t) -> out.printf("bench evaluation-simplecnn-%s %s images=%d%n", kind, t.format(), IMAGES));
        out.printf("bench evaluation-ratio head/dl4j=%.3f nola/dl4j=%.3f%n",
                timings.get("head").median() / timings.get("dl4j").median(),
                timings.get("nola").median() / timings.get("dl4j").median());
    }
}
