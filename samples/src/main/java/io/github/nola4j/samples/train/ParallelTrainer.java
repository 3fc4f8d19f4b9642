package io.github.nola4j.samples.train;

import io.github.nola4j.samples.data.LabelledImages;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel fine-tuning with DL4J's {@link ParallelWrapper}: the same minibatches as
 * {@link Trainer#fit}, spread over {@code workers} copies of the network whose parameters are
 * averaged after every step. Frozen weights stay bit-identical for a power-of-two number of
 * workers (DL4J averages by summing and dividing).
 */
public final class ParallelTrainer {

    private ParallelTrainer() {
    }

    /** @return the loss of every minibatch the workers trained, in the order they finished */
    public static double[] fit(MultiLayerNetwork net, LabelledImages data, int numClasses, int batchSize, long steps,
                               long seed, int workers, ProgressBar progress) {
        List<DataSet> batches = new ArrayList<>();
        for (int[] batch : Trainer.batchIndices(data.size(), batchSize, steps, seed)) {
            batches.add(new DataSet(data.features(batch), data.oneHotLabels(batch, numClasses)));
        }
        List<Double> losses = new ArrayList<>();
        net.addListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                synchronized (losses) {
                    losses.add(model.score());
                    progress.update(losses.size(), String.format("loss %.4f", model.score()));
                }
            }
        });
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(workers).prefetchBuffer(2)
                .averagingFrequency(1).reportScoreAfterAveraging(true).build();
        try {
            wrapper.fit(new ExistingDataSetIterator(batches));
        } finally {
            wrapper.shutdown();
        }
        synchronized (losses) {
            return losses.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}
