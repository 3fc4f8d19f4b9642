package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.BaseCnn;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.LabelledImages;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SameDiff graph trains the same function as the DL4J network it stands in for. */
class SameDiffPretrainerTest {

    @Test
    void matchesDl4jTrainingStepForStep() {
        LabelledImages data = FashionMnist.loadSubset().train().onlyClasses(new int[] {0, 1, 2, 3, 4});
        MultiLayerNetwork viaSameDiff = BaseCnn.create(5, 3);
        MultiLayerNetwork viaDl4j = viaSameDiff.clone();
        INDArray start = viaSameDiff.params().dup();
        long steps = 3;
        SameDiffPretrainer.fit(viaSameDiff, data, 5, 64, steps, BaseCnn.PRETRAIN_LEARNING_RATE, 9, ProgressBar.SILENT);
        Trainer.fit(viaDl4j, data, 5, 64, steps, 9, ProgressBar.SILENT);

        double moved = viaDl4j.params().sub(start).amaxNumber().doubleValue();
        double difference = viaSameDiff.params().sub(viaDl4j.params()).amaxNumber().doubleValue();
        assertTrue(moved > 1e-3, "DL4J training did not move the parameters: " + moved);
        assertTrue(difference < 0.05 * moved, "SameDiff and DL4J training differ by " + difference
                + " after " + steps + " steps (parameters moved " + moved + ")");

        INDArray x = data.features(new int[] {0, 1, 2, 3});
        double outDiff = viaSameDiff.output(x).sub(viaDl4j.output(x)).amaxNumber().doubleValue();
        assertTrue(outDiff < 1e-3, "outputs differ by " + outDiff);
    }
}
