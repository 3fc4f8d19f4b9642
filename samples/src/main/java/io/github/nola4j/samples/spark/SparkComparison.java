package io.github.nola4j.samples.spark;

import io.github.nola4j.samples.cnn.CnnTransfer;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.FinetuneConfig;
import io.github.nola4j.samples.train.FinetuneResult;
import io.github.nola4j.samples.train.Finetuning;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.Trainer;
import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.spark.CoefficientAveragingTrainer;
import io.github.nola4j.spark.ParameterAveragingTraining;
import io.github.nola4j.spark.TrainableParameters;
import io.github.nola4j.spark.WireBytes;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The samples' NOLA fine-tuning (the CNN transfer to classes 5-9) three ways: on one machine, on
 * Spark with NOLA-aware coefficient averaging and on Spark with DL4J's parameter averaging. Each
 * worker takes as many Adam steps of 50 images as one machine does, and the workers average
 * every {@code stepsPerRound} steps.
 */
final class SparkComparison {

    /** Accuracy, training time and whether the frozen weights stayed bit-identical. */
    record Outcome(double accuracy, double seconds, boolean frozenIntact) {
    }

    /** Outcomes of one seed, and the bytes per round of both schemes. */
    record SeedResult(long seed, Outcome single, Outcome coefficients, Outcome parameters, WireBytes nolaBytes,
                      WireBytes dl4jBytes, WireBytes dl4jWithUpdaterBytes, long baseBroadcastBytes) {
    }

    private final SparkSettings settings;
    private final ProgressBar progress;

    SparkComparison(SparkSettings settings, ProgressBar progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** @return the Spark configuration: spark-submit's master if set, else --master or local[workers] */
    SparkConf sparkConf() {
        SparkConf conf = new SparkConf().setAppName("nola-samples spark");
        if (settings.master() != null) {
            conf.setMaster(settings.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[" + settings.workers() + "]");
        }
        if (!conf.contains("spark.ui.enabled")) {
            conf.set("spark.ui.enabled", "false");
        }
        return conf;
    }

    /** Runs every seed and prints one line per seed, the means and the bytes per round. */
    void runAll(MultiLayerNetwork base, TrainTestData data, PrintStream out) {
        SparkConf conf = sparkConf();
        out.printf("  task                  classes 5-9, %d images per class, NOLA r = 4, k = l = %d; %d workers "
                        + "(%s), each %d Adam steps of 50, averaging every %d steps (%d rounds)%n", settings.shots(),
                settings.bases(), settings.workers(), conf.get("spark.master"), settings.steps(),
                settings.stepsPerRound(), settings.rounds());
        List<SeedResult> results = new ArrayList<>();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            for (long seed : settings.seeds()) {
                SeedResult r = run(sc, base, data, seed);
                results.add(r);
                out.printf("  seed %d                accuracy %%: one machine %.2f, coefficient averaging %.2f, DL4J "
                                + "parameter averaging %.2f; time s: %.1f, %.1f, %.1f; frozen weights bit-identical: "
                                + "%s, %s%n", seed, 100 * r.single().accuracy(), 100 * r.coefficients().accuracy(),
                        100 * r.parameters().accuracy(), r.single().seconds(), r.coefficients().seconds(),
                        r.parameters().seconds(), yes(r.coefficients().frozenIntact()),
                        yes(r.parameters().frozenIntact()));
            }
        }
        SeedResult last = results.get(results.size() - 1);
        out.printf("  mean accuracy %%       one machine %.2f, coefficient averaging %.2f, DL4J parameter averaging "
                        + "%.2f (%d seeds)%n", mean(results, r -> r.single().accuracy()),
                mean(results, r -> r.coefficients().accuracy()), mean(results, r -> r.parameters().accuracy()),
                results.size());
        out.printf("  bytes per round       per worker and direction: coefficient averaging %,d down / %,d up "
                        + "(%,d trainable values, %.3f x their %,d bytes); DL4J parameter averaging %,d / %,d "
                        + "(%,d parameters), %,d / %,d with its updater state%n", last.nolaBytes().downBytes(),
                last.nolaBytes().upBytes(), last.nolaBytes().values(), last.nolaBytes().upOverhead(),
                last.nolaBytes().valueBytes(), last.dl4jBytes().downBytes(), last.dl4jBytes().upBytes(),
                last.dl4jBytes().values(), last.dl4jWithUpdaterBytes().downBytes(),
                last.dl4jWithUpdaterBytes().upBytes());
        out.printf("  once                  the base broadcast to the workers: %,d bytes%n", last.baseBroadcastBytes());
    }

    private static double mean(List<SeedResult> results,
                               ToDoubleFunction<SeedResult> f) {
        return 100 * results.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static String yes(boolean b) {
        return b ? "yes" : "NO";
    }

    SeedResult run(JavaSparkContext sc, MultiLayerNetwork base, TrainTestData data, long seed) {
        AdapterSpec adapter = Method.NOLA.spec(Method.DEFAULT_RANK, settings.bases(), seed);
        FinetuneConfig config = new FinetuneConfig(Method.NOLA, FinetuneConfig.DEFAULT_CLASSES, settings.shots(),
                adapter, settings.steps(), FinetuneConfig.DEFAULT_BATCH, Method.NOLA.defaultLearningRate(adapter), seed);
        int numClasses = config.classes().length;
        LabelledImages train = data.train().onlyClasses(config.classes()).sampleShots(config.shots(), seed);

        FinetuneResult single = Finetuning.run(base, data, config, progress);
        Outcome one = new Outcome(single.accuracy(), single.trainSeconds(), true);

        MultiLayerNetwork nola = fresh(base, config);
        String frozen = TrainableParameters.of(nola).frozenFingerprint();
        long start = System.nanoTime();
        boolean workersIntact;
        long baseBytes;
        try (CoefficientAveragingTrainer trainer = new CoefficientAveragingTrainer(sc, nola, settings.workers(),
                settings.stepsPerRound())) {
            trainer.fit(sc.parallelize(minibatches(train, numClasses, config, settings.steps()), settings.workers()),
                    settings.rounds());
            workersIntact = trainer.workerFrozenFingerprints().stream().allMatch(frozen::equals);
            baseBytes = trainer.baseBroadcastBytes();
        }
        double nolaSeconds = (System.nanoTime() - start) / 1e9;
        Outcome coefficients = new Outcome(Finetuning.evaluate(nola, data, config, progress), nolaSeconds,
                workersIntact && frozen.equals(TrainableParameters.of(nola).frozenFingerprint()));

        MultiLayerNetwork dl4j = fresh(base, config);
        start = System.nanoTime();
        // DL4J fits each minibatch of the RDD once: workers x steps minibatches give each worker `steps` steps
        ParameterAveragingTraining.fit(sc, dl4j, ParameterAveragingTraining.master(settings.workers(),
                        config.batchSize(), settings.stepsPerRound()),
                sc.parallelize(minibatches(train, numClasses, config, settings.steps() * settings.workers()),
                        settings.workers()), 1);
        double dl4jSeconds = (System.nanoTime() - start) / 1e9;
        Outcome parameters = new Outcome(Finetuning.evaluate(dl4j, data, config, progress), dl4jSeconds,
                frozen.equals(TrainableParameters.of(dl4j).frozenFingerprint()));

        return new SeedResult(seed, one, coefficients, parameters,
                WireBytes.coefficientAveraging(nola, WireBytes.sparkSerializer()),
                WireBytes.parameterAveraging(dl4j, false, WireBytes.sparkSerializer()),
                WireBytes.parameterAveraging(dl4j, true, WireBytes.sparkSerializer()), baseBytes);
    }

    private static MultiLayerNetwork fresh(MultiLayerNetwork base, FinetuneConfig config) {
        return CnnTransfer.create(base, config.method(), config.adapter(), config.classes().length,
                config.learningRate(), config.headLearningRate(), config.seed()).network();
    }

    /** @return the minibatches of {@code steps} steps, as {@link Trainer#fit} draws them */
    private static List<DataSet> minibatches(LabelledImages train, int numClasses, FinetuneConfig config, int steps) {
        List<DataSet> out = new ArrayList<>();
        for (int[] batch : Trainer.batchIndices(train.size(), config.batchSize(), steps, config.seed())) {
            out.add(new DataSet(train.features(batch), train.oneHotLabels(batch, numClasses)));
        }
        return out;
    }
}
