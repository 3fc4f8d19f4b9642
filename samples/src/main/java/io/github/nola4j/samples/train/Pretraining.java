package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.BaseCnn;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Trains a base network on the source classes and saves it with {@link ModelSerializer}. */
public final class Pretraining {

    private Pretraining() {
    }

    /** Trains a base, evaluates it on the source classes' test images and saves it to {@code file}. */
    public static PretrainResult train(TrainTestData data, PretrainConfig config, Path file, ProgressBar progress) {
        long start = System.nanoTime();
        int numClasses = config.sourceClasses().length;
        LabelledImages train = data.train().onlyClasses(config.sourceClasses());
        LabelledImages test = data.test().onlyClasses(config.sourceClasses());
        MultiLayerNetwork net = config.architecture().create(numClasses, config.seed());
        long steps = Trainer.stepsForEpochs(train.size(), config.batchSize(), config.epochs());
        SameDiffPretrainer.fit(net, train, numClasses, config.batchSize(), steps, BaseCnn.PRETRAIN_LEARNING_RATE,
                config.seed(), progress.next("pretrain", steps));
        double accuracy = Trainer.evaluate(net, test, numClasses, progress.next("evaluate source", test.size()))
                .accuracy();
        save(net, file);
        return new PretrainResult(net, file, false, accuracy, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Loads the base saved for this configuration and data in {@code workDir}, or trains and saves it.
     */
    public static PretrainResult loadOrTrain(TrainTestData data, PretrainConfig config, Path workDir,
                                             ProgressBar progress) {
        Path file = workDir.resolve(config.fileName(data.id()));
        if (Files.isRegularFile(file)) {
            long start = System.nanoTime();
            MultiLayerNetwork cached;
            try {
                cached = load(file);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + ". It is the cached base in the work folder:"
                        + " delete it and it is pretrained again", e);
            }
            return new PretrainResult(cached, file, true, Double.NaN, (System.nanoTime() - start) / 1e9);
        }
        return train(data, config, file, progress);
    }

    /** @return whether {@link #loadOrTrain} finds a cached base in {@code workDir} (else it pretrains one) */
    public static boolean isCached(TrainTestData data, PretrainConfig config, Path workDir) {
        return Files.isRegularFile(workDir.resolve(config.fileName(data.id())));
    }

    /** Loads a base saved by {@link #train} (or any MultiLayerNetwork saved by ModelSerializer). */
    public static MultiLayerNetwork load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("base model " + file + " not found; create it with the pretrain "
                    + "command or leave --base out to use (and create) the one in the work folder");
        }
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("base model " + file + " is not a MultiLayerNetwork saved by DL4J's"
                    + " ModelSerializer (" + e.getMessage() + "); pass a base written by the pretrain command", e);
        }
    }

    private static void save(MultiLayerNetwork net, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "base", ".tmp");
            ModelSerializer.writeModel(net, tmp.toFile(), false);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the base model to " + file + ": " + e.getMessage()
                    + "; choose a writable --work folder", e);
        }
    }
}
