package io.github.nola4j.samples.zoo;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.basis.BasisCache;
import io.github.nola4j.samples.bench.Timing;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.Trainer;
import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Fine-tunes DL4J's zoo ResNet50 on Fashion-MNIST classes with NOLA on every convolution and a
 * new head, everything else frozen (BatchNorm on its running statistics), timing each Adam step.
 * A random init first gets its BatchNorm statistics from training images
 * ({@link NolaTransfer#calibrateBatchNorm}).
 */
public final class ZooFinetuning {

    private ZooFinetuning() {
    }

    /**
     * @throws IllegalArgumentException when a class is missing from the data or has too few images
     * @throws UncheckedIOException     when {@code --pretrained} weights cannot be downloaded
     */
    public static ZooResult run(TrainTestData data, ZooConfig config, ProgressBar progress) {
        int numClasses = config.classes().length;
        LabelledImages train = data.train().onlyClasses(config.classes()).sampleShots(config.shots(), config.seed());
        LabelledImages test = testImages(data.test().onlyClasses(config.classes()), config.seed());
        ZooImages images = new ZooImages(config.size(), config.pretrained());
        List<int[]> batches = Trainer.batchIndices(train.size(), ZooConfig.BATCH, config.steps(), config.seed());

        ComputationGraph base = baseModel(config);
        BasisCache.clear();
        long start = System.nanoTime();
        NolaTransfer<ComputationGraph> builder = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION)
                .rank(config.rank()).numBases(config.bases(), config.bases()).scale(config.scale())
                .basisSeed(NolaLayer.DEFAULT_BASIS_SEED + config.seed())
                .replaceHead(numClasses)
                .freezeBatchNormStatistics(true)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(config.seed())
                        .updater(new Adam(config.learningRate())).build());
        if (!config.pretrained()) {
            int n = Math.min(ZooConfig.CALIBRATION_IMAGES, train.size());
            builder.calibrateBatchNorm(images.features(train, IntStream.range(0, n).toArray()));
        }
        TransferResult<ComputationGraph> transfer = builder.build();
        ComputationGraph net = transfer.network();
        net.output(false, images.features(train, batches.get(0)));
        double setupMillis = (System.nanoTime() - start) / 1e6;
        long fullParams = fullFineTuneParams(base, transfer.headLayer(), transfer.summary().headParams());
        base = null; // only the adapted network is needed from here on; let the collector free the original

        ProgressBar bar = progress.next("finetune resnet50", config.steps());
        double[] millis = new double[batches.size()];
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        long trainStart = System.nanoTime();
        for (int step = 0; step < batches.size(); step++) {
            int[] batch = batches.get(step);
            DataSet ds = new DataSet(images.features(train, batch), train.oneHotLabels(batch, numClasses));
            long stepStart = System.nanoTime();
            net.fit(ds);
            millis[step] = (System.nanoTime() - stepStart) / 1e6;
            lastLoss = net.score();
            firstLoss = step == 0 ? lastLoss : firstLoss;
            bar.update(step + 1, String.format("loss %.4f", lastLoss));
        }
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        ZooResult.Memory memory = memory();

        long evalStart = System.nanoTime();
        double accuracy = evaluate(net, test, images, numClasses, progress.next("evaluate", test.size()))
                .accuracy();
        double[] timed = Arrays.copyOfRange(millis, Math.min(ZooConfig.WARMUP_STEPS, millis.length), millis.length);
        return new ZooResult(transfer.summary(), transfer.skipped().size(), fullParams, setupMillis,
                Timing.of(timed), ompThreads(), memory, firstLoss, lastLoss, accuracy, test.size(), trainSeconds,
                (System.nanoTime() - evalStart) / 1e9);
    }

    /** @return ResNet50 for the config: random init, or DL4J's ImageNet weights with {@code --pretrained} */
    static ComputationGraph baseModel(ZooConfig config) {
        ResNet50 zoo = ResNet50.builder().numClasses(config.classes().length).seed(config.seed())
                .inputShape(new int[] {3, config.size(), config.size()}).build();
        if (!config.pretrained()) {
            return zoo.init();
        }
        try {
            return (ComputationGraph) zoo.initPretrained(PretrainedType.IMAGENET);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("the ResNet50 ImageNet weights could not be downloaded (" + e
                    + "); check the network connection, or run zoo without --pretrained (random init)",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** @return every parameter below the head but BatchNorm running statistics, plus the new head's */
    static long fullFineTuneParams(ComputationGraph base, String head, long newHeadParams) {
        long total = 0;
        for (Layer layer : base.getLayers()) {
            if (layer.conf().getLayer().getLayerName().equals(head)) {
                continue;
            }
            boolean bn = layer.conf().getLayer() instanceof BatchNormalization;
            total += layer.paramTable().entrySet().stream()
                    .filter(e -> !(bn && (e.getKey().equals(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                            || e.getKey().equals(BatchNormalizationParamInitializer.GLOBAL_VAR))))
                    .mapToLong(e -> e.getValue().length()).sum();
        }
        return total + newHeadParams;
    }

    /** @return up to {@link ZooConfig#TEST_PER_CLASS} test images per class, as many for each class */
    static LabelledImages testImages(LabelledImages test, long seed) {
        int fewest = Arrays.stream(test.classCounts()).filter(c -> c > 0).min().orElse(0);
        return test.sampleShots(Math.min(ZooConfig.TEST_PER_CLASS, fewest), seed);
    }

    private static Evaluation evaluate(ComputationGraph net, LabelledImages test, ZooImages images, int numClasses,
                                       ProgressBar bar) {
        Evaluation evaluation = new Evaluation(numClasses);
        for (int from = 0; from < test.size(); from += ZooConfig.EVAL_BATCH) {
            int[] batch = IntStream.range(from, Math.min(from + ZooConfig.EVAL_BATCH, test.size())).toArray();
            INDArray out = net.output(false, images.features(test, batch))[0];
            evaluation.eval(test.oneHotLabels(batch, numClasses), out);
            bar.update(from + batch.length, "");
        }
        return evaluation;
    }

    /** @return ND4J's OpenMP thread count, or 0 when the backend does not say */
    private static int ompThreads() {
        Object threads = Nd4j.getExecutioner().getEnvironmentInformation().get("omp.threads");
        return threads instanceof Number n ? n.intValue() : 0;
    }

    private static ZooResult.Memory memory() {
        Runtime rt = Runtime.getRuntime();
        return new ZooResult.Memory(rt.totalMemory() - rt.freeMemory(), Pointer.physicalBytes(), Pointer.totalBytes(),
                BasisCache.bytesHeld());
    }
}
