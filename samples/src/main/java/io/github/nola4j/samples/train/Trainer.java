package io.github.nola4j.samples.train;

import io.github.nola4j.samples.data.LabelledImages;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Minibatch training and evaluation of a classifier on {@link LabelledImages}. */
public final class Trainer {

    /** Images per forward pass in evaluation. */
    public static final int EVAL_BATCH = 500;

    private Trainer() {
    }

    /**
     * Trains {@code steps} minibatches, reshuffling (seeded) at the start of every pass over the
     * data; the last batch of a pass may be smaller.
     *
     * @return the loss of every minibatch, in order
     */
    public static double[] fit(MultiLayerNetwork net, LabelledImages data, int numClasses, int batchSize, long steps,
                             long seed, ProgressBar progress) {
        List<int[]> batches = batchIndices(data.size(), batchSize, steps, seed);
        double[] losses = new double[batches.size()];
        for (int step = 0; step < batches.size(); step++) {
            int[] batch = batches.get(step);
            net.fit(new DataSet(data.features(batch), data.oneHotLabels(batch, numClasses)));
            losses[step] = net.score();
            progress.update(step + 1, String.format("loss %.4f", losses[step]));
        }
        return losses;
    }

    /**
     * The image indices of {@code steps} minibatches: a seeded reshuffle at the start of every pass
     * over the data; the last batch of a pass may be smaller.
     */
    public static List<int[]> batchIndices(int size, int batchSize, long steps, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = IntStream.range(0, size).toArray();
        int position = size;
        List<int[]> batches = new ArrayList<>();
        for (long step = 0; step < steps; step++) {
            if (position >= size) {
                LabelledImages.shuffle(order, random);
                position = 0;
            }
            int[] batch = Arrays.copyOfRange(order, position, Math.min(position + batchSize, size));
            position += batch.length;
            batches.add(batch);
        }
        return batches;
    }

    /** @return steps of {@link #fit} in {@code epochs} passes over {@code size} images */
    public static long stepsForEpochs(int size, int batchSize, int epochs) {
        return (long) epochs * ((size + batchSize - 1) / batchSize);
    }

    /** Evaluates on every image of {@code data} in inference mode. */
    public static Evaluation evaluate(MultiLayerNetwork net, LabelledImages data, int numClasses,
                                      ProgressBar progress) {
        Evaluation evaluation = new Evaluation(numClasses);
        for (int from = 0; from < data.size(); from += EVAL_BATCH) {
            int[] batch = IntStream.range(from, Math.min(from + EVAL_BATCH, data.size())).toArray();
            INDArray out = net.output(data.features(batch), false);
            evaluation.eval(data.oneHotLabels(batch, numClasses), out);
            progress.update(from + batch.length, "");
        }
        return evaluation;
    }
}
