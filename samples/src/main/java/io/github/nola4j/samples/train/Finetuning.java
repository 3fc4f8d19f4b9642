package io.github.nola4j.samples.train;

import io.github.nola4j.layers.merge.NolaMerge;
import io.github.nola4j.samples.cnn.CnnTransfer;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.zoo.TrainableSummary;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.stream.IntStream;

/** Transfers a pretrained base to the target classes with a new head, trains it and evaluates it. */
public final class Finetuning {

    /** Bytes per stored value of an adapter (32-bit floats). */
    public static final int BYTES_PER_VALUE = Float.BYTES;
    /** Test images on which the merged NOLA network is compared with the adapted one. */
    public static final int MERGE_CHECK_IMAGES = 200;

    private Finetuning() {
    }

    /**
     * @param base pretrained base; not modified
     * @param data training images (the shots are drawn from them) and the test split
     */
    public static FinetuneResult run(MultiLayerNetwork base, TrainTestData data, FinetuneConfig config,
                                     ProgressBar progress) {
        int numClasses = config.classes().length;
        LabelledImages train = data.train().onlyClasses(config.classes()).sampleShots(config.shots(), config.seed());
        LabelledImages test = data.test().onlyClasses(config.classes());
        TransferResult<MultiLayerNetwork> transfer = CnnTransfer.create(base, config.method(), config.adapter(),
                numClasses, config.learningRate(), config.headLearningRate(), config.seed());
        MultiLayerNetwork net = transfer.network();

        long start = System.nanoTime();
        ProgressBar bar = progress.next("finetune " + config.method().cliName(), config.steps());
        double[] losses = config.workers() > 1
                ? ParallelTrainer.fit(net, train, numClasses, config.batchSize(), config.steps(), config.seed(),
                        config.workers(), bar)
                : Trainer.fit(net, train, numClasses, config.batchSize(), config.steps(), config.seed(), bar);
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        start = System.nanoTime();
        double accuracy = evaluate(net, data, config, progress);
        double evalSeconds = (System.nanoTime() - start) / 1e9;

        TrainableSummary summary = transfer.summary();
        long trainable = summary.trainableParams() - summary.headParams();
        long rank1 = summary.loraRank1Params();
        double mergeDifference = rank1 > 0 ? mergeDifference(net, test) : Double.NaN;
        return new FinetuneResult(config.method(), accuracy, test.size(), trainable, summary.headParams(),
                trainable * BYTES_PER_VALUE, rank1, trainSeconds, evalSeconds, mergeDifference, losses, transfer);
    }

    /** @return accuracy of {@code net} on the full test split of the target classes of {@code config} */
    public static double evaluate(MultiLayerNetwork net, TrainTestData data, FinetuneConfig config,
                                  ProgressBar progress) {
        LabelledImages test = data.test().onlyClasses(config.classes());
        return Trainer.evaluate(net, test, config.classes().length, progress.next("evaluate target", test.size()))
                .accuracy();
    }

    /** @return max |p_adapted - p_merged| over the first test images, after {@link NolaMerge#mergeAndUnload} */
    static double mergeDifference(MultiLayerNetwork net, LabelledImages test) {
        int[] first = IntStream.range(0, Math.min(MERGE_CHECK_IMAGES, test.size())).toArray();
        INDArray x = test.features(first);
        MultiLayerNetwork merged = NolaMerge.mergeAndUnload(net);
        return net.output(x, false).sub(merged.output(x, false)).amaxNumber().doubleValue();
    }
}
