package io.github.nola4j.samples.zoo;

import io.github.nola4j.samples.CommandLine;
import io.github.nola4j.samples.Option;
import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.FinetuneConfig;
import io.github.nola4j.samples.train.ProgressBar;

import java.io.PrintStream;

/** The {@code zoo} command: DL4J's zoo ResNet50 adapted with NOLA on every convolution, timed. */
public final class ZooCommand {

    private final PrintStream out;

    /** @param out where the results go (progress goes to the progress bar's stream) */
    public ZooCommand(PrintStream out) {
        this.out = out;
    }

    public void run(CommandLine line, ProgressBar progress) {
        ZooConfig config = zooConfig(line);
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("zoo: DL4J zoo ResNet50 fine-tuned with NOLA on every convolution");
        out.println("  data                  " + data.description());
        ZooResult r = ZooFinetuning.run(data, config, progress);
        var s = r.summary();
        out.printf("  model                 ResNet50 at %dx%dx3, %s; new head, everything else frozen (BatchNorm on "
                + "its running statistics)%n", config.size(), config.size(), config.pretrained()
                ? "ImageNet weights" : "random init (seed " + config.seed() + ") with BatchNorm statistics from "
                + Math.min(ZooConfig.CALIBRATION_IMAGES, config.shots() * config.classes().length)
                + " training images");
        out.printf("  adapters              NOLA r = %d, s = 1/%d, k = l = %d on %d convolutions%s%n", config.rank(),
                config.rank(), config.bases(), s.adaptedLayers().size(),
                r.skippedLayers() == 0 ? "" : " (" + r.skippedLayers() + " skipped)");
        out.printf("  target task           classes %s, %d images per class, %d steps of %d, Adam lr %s, seed %d%n",
                CommandLine.list(config.classes()), config.shots(), config.steps(), ZooConfig.BATCH, config.learningRate(),
                config.seed());
        out.printf("  trainable parameters  %,d (%,d NOLA coefficients + %,d head); full fine-tuning trains %,d "
                + "(%.3f %% of it)%n", s.trainableParams(), s.adapterParams(), s.headParams(), r.fullFineTuneParams(),
                100.0 * s.trainableParams() / r.fullFineTuneParams());
        out.printf("  adapter size          %,d bytes (32-bit coefficients, head not included; %,d at 4 bits)%n",
                s.adapterBytes32(), s.adapterBytes4());
        out.printf("  set-up                %.0f ms (NolaTransfer.build: BatchNorm calibration on a copy for a random init,"
                + " swap to NOLA layers; then the first forward, basis generation included)%n",
                r.setupMillis());
        out.printf("  time per step         median %.0f ms, p10 %.0f ms, p90 %.0f ms (%d steps of %d images after "
                + "the first %d; %d OpenMP threads)%n", r.stepMillis().median(), r.stepMillis().percentile(10),
                r.stepMillis().percentile(90), r.stepMillis().samples().length, ZooConfig.BATCH,
                ZooConfig.WARMUP_STEPS, r.threads());
        ZooResult.Memory m = r.memory();
        out.printf("  memory                JVM heap used %s, process physical %s, JavaCPP totalBytes %s (ND4J's "
                + "arrays are allocated outside it), NOLA bases %s; after training%n", megabytes(m.heapUsed()),
                megabytes(m.physicalBytes()), megabytes(m.javacppBytes()), megabytes(m.basesBytes()));
        out.printf("  training loss         %.4f at the first step, %.4f at the last%n", r.firstLoss(), r.lastLoss());
        out.printf("  test accuracy         %.2f %% (%d test images)%n", 100 * r.accuracy(), r.testImages());
        out.printf("  time                  %.1f s fine-tuning, %.1f s evaluation%n", r.trainSeconds(),
                r.evalSeconds());
    }

    private static ZooConfig zooConfig(CommandLine line) {
        boolean pretrained = line.has(Option.PRETRAINED);
        int size = line.integer(Option.SIZE, pretrained ? ZooConfig.PRETRAINED_SIZE : ZooConfig.MIN_SIZE, 1);
        if (size < ZooConfig.MIN_SIZE) {
            throw new UsageException("--size " + size + " is too small: ResNet50's pooling leaves nothing below "
                    + ZooConfig.MIN_SIZE + "x" + ZooConfig.MIN_SIZE + " pixels; use --size " + ZooConfig.MIN_SIZE
                    + " or more");
        }
        if (pretrained && size != ZooConfig.PRETRAINED_SIZE) {
            throw new UsageException("--size " + size + " does not fit --pretrained: the head of the ImageNet "
                    + "weights expects " + ZooConfig.PRETRAINED_SIZE + "x" + ZooConfig.PRETRAINED_SIZE + " input; use "
                    + "--size " + ZooConfig.PRETRAINED_SIZE + " (or leave --size out), or drop --pretrained");
        }
        int minSteps = ZooConfig.WARMUP_STEPS + 1;
        int steps = line.integer(Option.STEPS, ZooConfig.DEFAULT_STEPS, 1);
        if (steps < minSteps) {
            throw new UsageException("--steps " + steps + " must be at least " + minSteps + ": the first "
                    + ZooConfig.WARMUP_STEPS + " steps warm up and are left out of the step timing; use e.g. --steps "
                    + ZooConfig.DEFAULT_STEPS);
        }
        int rank = line.integer(Option.RANK, Method.DEFAULT_RANK, 1);
        return new ZooConfig(line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1), steps, size,
                line.integer(Option.BASES, Method.DEFAULT_BASES, 1), rank,
                line.has(Option.LR) ? line.positive(Option.LR) : ZooConfig.DEFAULT_LR,
                line.seed(Option.SEED, FinetuneConfig.DEFAULT_SEED), pretrained);
    }

    private static String megabytes(long bytes) {
        return String.format("%,.1f MB", bytes / 1e6);
    }
}
