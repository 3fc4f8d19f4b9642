package io.github.nola4j.samples.vit;

import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.report.Variant;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.Trainer;
import org.nd4j.autodiff.samediff.SameDiff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Pretrains the {@link TinyVit} base on the source classes (every weight trains, Adam with
 * {@link WarmupCosine}) and caches it in the work folder as a SameDiff FlatBuffers file, named by
 * everything that determines it, as the CNN base is cached.
 */
public final class VitPretraining {

    public static final int DEFAULT_EPOCHS = 5;
    public static final double LEARNING_RATE = 1e-3;
    /** Warm-up of the pretraining schedule, in steps. */
    public static final int WARMUP_STEPS = 100;
    public static final int BATCH = 50;
    public static final long SEED = 12345;

    private VitPretraining() {
    }

    /**
     * @param base      the pretrained graph
     * @param file      where it is cached
     * @param cached    whether it was loaded rather than trained
     * @param accuracy  accuracy on the source classes' test images (NaN when cached)
     * @param seconds   time to train or load it
     */
    public record Base(SameDiff base, Path file, boolean cached, double accuracy, double seconds) {
    }

    /** @return the cache file of a base of {@code shape} on {@code sourceClasses} of data {@code dataId} */
    public static String fileName(VitShape shape, String dataId, int[] sourceClasses, int epochs) {
        return "vit" + shape.imageSize() + "p" + shape.patch() + "d" + shape.width() + "x" + shape.depth() + "h"
                + shape.heads() + "m" + shape.mlpWidth() + "-" + dataId + "-classes"
                + Arrays.stream(sourceClasses).mapToObj(Integer::toString).collect(Collectors.joining("_"))
                + "-epochs" + epochs + "-seed" + SEED + ".fb";
    }

    /** Loads the cached base from {@code workDir}, or trains, evaluates and caches it. */
    public static Base loadOrTrain(TrainTestData data, VitShape shape, int[] sourceClasses, int epochs, Path workDir,
                                   ProgressBar progress) {
        Path file = workDir.resolve(fileName(shape, data.id(), sourceClasses, epochs));
        long start = System.nanoTime();
        if (Files.isRegularFile(file)) {
            try {
                return new Base(SameDiff.load(file.toFile(), false), file, true, Double.NaN,
                        (System.nanoTime() - start) / 1e9);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cached ViT base " + file + " cannot be read (" + e.getMessage()
                        + "); delete it and it is pretrained again", e);
            }
        }
        LabelledImages train = data.train().onlyClasses(sourceClasses);
        LabelledImages test = data.test().onlyClasses(sourceClasses);
        SameDiff sd = TinyVit.build(shape, sourceClasses.length, SEED);
        int steps = Math.toIntExact(Trainer.stepsForEpochs(train.size(), BATCH, epochs));
        VitRun run = new VitRun(new Variant("full", Method.FULL, 0, 0, LEARNING_RATE), sourceClasses, 0, steps, BATCH,
                Math.min(WARMUP_STEPS, steps - 1), SEED);
        VitFinetuning.train(sd, train, sourceClasses.length, run, progress.next("pretrain vit", steps));
        double accuracy = VitFinetuning.accuracy(sd, test);
        save(sd, file);
        return new Base(sd, file, false, accuracy, (System.nanoTime() - start) / 1e9);
    }

    private static void save(SameDiff sd, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "vit", ".tmp");
            sd.save(tmp.toFile(), false);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("cannot save the ViT base to " + file + ": " + e.getMessage()
                    + "; choose a writable --work folder", e instanceof IOException io ? io : new IOException(e));
        }
    }
}
