package io.github.nola4j.samples.train;

import io.github.nola4j.layers.DifferentiationLogFilter;
import io.github.nola4j.samples.data.LabelledImages;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Trains a DL4J image classifier (the {@link io.github.nola4j.samples.cnn.BaseCnn}, or zoo SimpleCNN
 * with a loss layer) as its {@link SameDiffCopy} and writes the result back into the network.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 {@code ConvolutionLayer} runs im2col + gemm (its oneDNN helper is off
 * by default), several times slower here than SameDiff's conv2d op, which runs on oneDNN. The graph
 * computes the same function with the same parameter values, and trains them with Adam on the
 * same minibatches as {@link Trainer#fit}.
 *
 * <p>BatchNorm: DL4J keeps running statistics as it trains; the graph normalises with each batch's
 * statistics and keeps none. After training, every BatchNormalization layer's running mean and
 * variance are set to the statistics its input has in one training-mode pass (no dropout) over up
 * to {@link #STATISTICS_IMAGES} training images, the statistics DL4J's running averages estimate.
 */
final class SameDiffPretrainer {

    /** Training images of the pass that sets the BatchNorm running statistics. */
    static final int STATISTICS_IMAGES = 2048;

    private SameDiffPretrainer() {
    }

    /** Trains {@code net} in place for {@code steps} minibatches, seeded as {@link Trainer#fit}. */
    static void fit(MultiLayerNetwork net, LabelledImages data, int numClasses, int batchSize, long steps,
                    double learningRate, long seed, ProgressBar progress) {
        SameDiffCopy copy = SameDiffCopy.of(net, true);
        SameDiff sd = copy.graph();
        List<SameDiffCopy.DropoutMask> masks = copy.dropoutMasks();
        List<String> features = new ArrayList<>(List.of(SameDiffCopy.INPUT));
        masks.forEach(m -> features.add(m.placeholder()));
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(learningRate)).dataSetFeatureMapping(features)
                .dataSetLabelMapping(SameDiffCopy.LABEL).build());
        DifferentiationLogFilter.run(sd::createGradFunction); // SameDiff prints a line per op while differentiating
        List<INDArray> maskInputs = masks.isEmpty() ? List.of()
                : net.feedForward(data.features(new int[] {0}), false); // per-layer shapes for one image
        Nd4j.getRandom().setSeed(seed); // dropout masks
        List<int[]> batches = Trainer.batchIndices(data.size(), batchSize, steps, seed);
        for (int step = 0; step < batches.size(); step++) {
            int[] batch = batches.get(step);
            INDArray[] in = new INDArray[1 + masks.size()];
            in[0] = data.features(batch);
            for (int m = 0; m < masks.size(); m++) {
                in[m + 1] = keepMask(maskInputs.get(masks.get(m).layer()).shape(), batch.length,
                        masks.get(m).retain());
            }
            sd.fit(new MultiDataSet(in, new INDArray[] {data.oneHotLabels(batch, numClasses)}));
            progress.update(step + 1, ""); // the loss is not recorded without a listener
        }
        copy.copyParamsTo(net);
        if (!copy.batchNorms().isEmpty()) {
            setBatchNormStatistics(net, data.features(IntStream.range(0, Math.min(STATISTICS_IMAGES, data.size()))
                    .toArray()));
        }
    }

    /** @return m/p for one batch: m ~ Bernoulli(p) for every value of a layer input of one image's {@code shape} */
    private static INDArray keepMask(long[] shape, int batch, double retain) {
        long[] batchShape = shape.clone();
        batchShape[0] = batch;
        return Nd4j.rand(DataType.FLOAT, batchShape).lt(retain).castTo(DataType.FLOAT).divi(retain);
    }

    /** Sets every BatchNormalization layer's running statistics to those of its input on {@code features}. */
    static void setBatchNormStatistics(MultiLayerNetwork net, INDArray features) {
        SameDiffCopy copy = SameDiffCopy.of(net, false);
        String[] names = copy.batchNorms().stream().flatMap(b -> java.util.stream.Stream.of(b.mean(), b.variance()))
                .toArray(String[]::new);
        Map<String, INDArray> values = copy.graph().output(Map.of(SameDiffCopy.INPUT, features), names);
        for (SameDiffCopy.BatchStatistics b : copy.batchNorms()) {
            SameDiffCopy.setRunningStatistics(net, b.layer(), values.get(b.mean()), values.get(b.variance()));
        }
    }
}
