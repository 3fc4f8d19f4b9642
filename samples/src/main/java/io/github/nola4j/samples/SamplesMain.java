package io.github.nola4j.samples;

import io.github.nola4j.samples.bench.BenchMain;
import io.github.nola4j.samples.check.BackendCheck;
import io.github.nola4j.samples.cnn.AdapterSettings;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.InvalidDataException;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.FinetuneConfig;
import io.github.nola4j.samples.train.FinetuneResult;
import io.github.nola4j.samples.train.Finetuning;
import io.github.nola4j.samples.train.PretrainConfig;
import io.github.nola4j.samples.train.PretrainResult;
import io.github.nola4j.samples.train.Pretraining;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Entry point of {@code nola-samples.jar}: {@code demo}, {@code pretrain} and {@code finetune} on
 * Fashion-MNIST. Results go to stdout, progress bars to stderr.
 */
public final class SamplesMain {

    /** Default folder for the pretrained base. */
    public static final Path DEFAULT_WORK_DIR = Path.of("nola-work");
    /** Exit status of a bad command line. */
    public static final int EXIT_USAGE = 2;
    /** Exit status of unusable data or files. */
    public static final int EXIT_DATA = 1;

    private final PrintStream out;
    private final PrintStream err;

    public SamplesMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        boundNativeMemory();
        quietLogging();
        System.exit(new SamplesMain(System.out, System.err).run(args));
    }

    /**
     * Caps ND4J's off-heap memory unless the user set the limits. JavaCPP frees native arrays when
     * their Java objects are collected, and by default lets them grow to the heap size and beyond
     * before it forces a collection: a training run then took 14 GB and was killed. With these
     * limits it collects early; raise them with -Dorg.bytedeco.javacpp.maxbytes=... if needed.
     */
    static void boundNativeMemory() {
        if (System.getProperty("org.bytedeco.javacpp.maxbytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxbytes", "3G");
        }
        if (System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", "6G");
        }
    }

    /** Keeps DL4J's INFO logs out of the output; call before any logger is created. */
    static void quietLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // ND4J warns about duplicate TensorFlow op mappings on every start; they do not concern us.
        // SameDiff warns that its softmax cross-entropy op has no labelsSmoothing field; harmless too.
        for (String logger : new String[] {"org.nd4j.imports.converters.ImportClassMapping",
                "org.nd4j.autodiff.functions.DifferentialFunction"}) {
            String property = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(property) == null) {
                System.setProperty(property, "error");
            }
        }
    }

    /** Runs one command line. @return the exit status: 0, {@link #EXIT_USAGE} or {@link #EXIT_DATA} */
    public int run(String[] args) {
        if (args.length == 0 || Arrays.asList("-h", "--help", "help").contains(args[0])) {
            out.print(usage());
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        try {
            if (args[0].equals("bench")) {
                BenchMain.run(Arrays.copyOfRange(args, 1, args.length), out);
                return 0;
            }
            if (args[0].equals("gpu-check")) {
                boolean bench = !Arrays.asList(args).contains("--no-bench");
                return BackendCheck.run(out, bench) == 0 ? 0 : EXIT_DATA;
            }
            CommandLine line = CommandLine.parse(args);
            ProgressBar progress = line.has(Option.QUIET) ? ProgressBar.SILENT : new ProgressBar(err, "", 1);
            switch (line.command()) {
                case DEMO -> demo(line, progress);
                case PRETRAIN -> pretrain(line, progress);
                case FINETUNE -> finetune(line, progress);
                default -> throw new IllegalStateException(line.command().toString());
            }
            return 0;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("Run with --help for the commands and options.");
            return EXIT_USAGE;
        } catch (InvalidDataException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return EXIT_DATA;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return EXIT_DATA;
        }
    }

    // ---------------------------------------------------------------- commands

    private void demo(CommandLine line, ProgressBar progress) {
        long start = System.nanoTime();
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        PretrainConfig pretrainConfig = new PretrainConfig(line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES), PretrainConfig.DEFAULT_EPOCHS, PretrainConfig.DEFAULT_BATCH,
                PretrainConfig.DEFAULT_SEED);
        FinetuneConfig config = finetuneConfig(line, Method.NOLA);
        out.println("nola4j demo: NOLA transfer on Fashion-MNIST");
        out.println("  data                  " + data.description());
        PretrainResult base = Pretraining.loadOrTrain(data, pretrainConfig, line.path(Option.WORK, DEFAULT_WORK_DIR),
                progress);
        printBase(base, pretrainConfig);
        FinetuneResult result = Finetuning.run(base.net(), data, config, progress);
        printResult(result, config);
        out.printf("  total time            %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private void pretrain(CommandLine line, ProgressBar progress) {
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        PretrainConfig config = new PretrainConfig(line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES), line.integer(Option.EPOCHS, PretrainConfig.DEFAULT_EPOCHS, 1),
                PretrainConfig.DEFAULT_BATCH, line.seed(Option.SEED, PretrainConfig.DEFAULT_SEED));
        Path file = line.path(Option.WORK, DEFAULT_WORK_DIR).resolve(config.fileName(data.id()));
        out.println("pretrain base CNN on classes " + classList(config.sourceClasses()));
        out.println("  data                  " + data.description());
        printBase(Pretraining.train(data, config, file, progress), config);
    }

    private void finetune(CommandLine line, ProgressBar progress) {
        FinetuneConfig config = finetuneConfig(line, line.method());
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("finetune " + config.method().cliName() + " (" + config.method().description() + ")");
        out.println("  data                  " + data.description());
        MultiLayerNetwork base;
        if (line.has(Option.BASE)) {
            base = Pretraining.load(line.path(Option.BASE));
            out.println("  base                  " + line.path(Option.BASE));
        } else {
            PretrainConfig pretrainConfig = new PretrainConfig(line.classes(Option.SOURCE_CLASSES,
                    PretrainConfig.DEFAULT_SOURCE_CLASSES), PretrainConfig.DEFAULT_EPOCHS,
                    PretrainConfig.DEFAULT_BATCH, PretrainConfig.DEFAULT_SEED);
            PretrainResult result = Pretraining.loadOrTrain(data, pretrainConfig,
                    line.path(Option.WORK, DEFAULT_WORK_DIR), progress);
            printBase(result, pretrainConfig);
            base = result.net();
        }
        printResult(Finetuning.run(base, data, config, progress), config);
    }

    private static FinetuneConfig finetuneConfig(CommandLine line, Method method) {
        int bases = line.integer(Option.BASES, AdapterSettings.DEFAULT_BASES, 1);
        int rank = line.integer(Option.RANK, AdapterSettings.DEFAULT_RANK, 1);
        long seed = line.seed(Option.SEED, FinetuneConfig.DEFAULT_SEED);
        double lr = line.has(Option.LR) ? line.positive(Option.LR) : method.defaultLearningRate(bases);
        return new FinetuneConfig(method, line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1),
                AdapterSettings.of(rank, bases, NolaLayer.DEFAULT_BASIS_SEED + seed),
                line.integer(Option.STEPS, FinetuneConfig.DEFAULT_STEPS, 1), FinetuneConfig.DEFAULT_BATCH, lr, seed);
    }

    // ---------------------------------------------------------------- output

    private void printBase(PretrainResult base, PretrainConfig config) {
        if (base.cached()) {
            out.println("  base                  " + base.file() + " (cached; delete it to pretrain again)");
        } else {
            out.printf("  base                  %s (classes %s, %d epochs: %.2f %% on their test images, %.1f s)%n",
                    base.file(), classList(config.sourceClasses()), config.epochs(), 100 * base.accuracy(),
                    base.seconds());
        }
    }

    private void printResult(FinetuneResult r, FinetuneConfig c) {
        out.printf("  target task           classes %s, %d images per class, %d steps of %d, lr %s, seed %d%n",
                classList(c.classes()), c.shots(), c.steps(), c.batchSize(), c.learningRate(), c.seed());
        if (c.method() == Method.NOLA) {
            out.printf("  adapters              NOLA r = %d, s = 1/%d, k = l = %d on conv1, conv2, conv3, dense%n",
                    c.adapter().rank(), c.adapter().rank(), c.adapter().numBases());
        }
        out.printf("  test accuracy         %.2f %% (%d test images)%n", 100 * r.accuracy(), r.testImages());
        out.printf("  trainable parameters  %,d without the head, %,d with the head (%,d)%n",
                r.trainableWithoutHead(), r.trainableWithoutHead() + r.headParams(), r.headParams());
        out.printf("  adapter size          %,d bytes (32-bit values below the head%s)%n", r.adapterBytes(),
                r.loraRank1Params() > 0 ? "; LoRA rank 1 would train " + String.format("%,d", r.loraRank1Params())
                        : "");
        if (!Double.isNaN(r.mergeDifference())) {
            out.printf("  merged                plain DL4J layers with W + s·A·B give the same probabilities "
                    + "(max difference %.1e on %d test images)%n", r.mergeDifference(),
                    Math.min(Finetuning.MERGE_CHECK_IMAGES, r.testImages()));
        }
        out.printf("  time                  %.1f s fine-tuning, %.1f s evaluation%n", r.trainSeconds(),
                r.evalSeconds());
    }

    private static String classList(int[] classes) {
        return Arrays.stream(classes).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** @return the help text, generated from {@link Command} and {@link Option} */
    static String usage() {
        StringBuilder s = new StringBuilder("usage: java -jar nola-samples.jar <command> [options]\n\ncommands:\n");
        for (Command c : Command.values()) {
            s.append(String.format("  %-10s %s%n", c.cliName(), c.help()));
        }
        s.append(String.format("  %-10s %s%n", "gpu-check", "parity, gradient and frozen-weight checks on this"
                + " ND4J backend (CUDA with -Pcuda), then the bench scenarios; --no-bench skips them"));
        s.append(String.format("  %-10s %s%n", "bench", "training and inference timings: bench [--scenario "
                + String.join("|", BenchMain.SCENARIOS) + "|all] [--steps N] [--warmup N]"));
        s.append("\noptions (commands that take them):\n");
        for (Option o : Option.values()) {
            String flag = o.flag() + (o.value() == null ? "" : " " + o.value());
            String commands = Arrays.stream(Command.values()).filter(o::appliesTo).map(Command::cliName)
                    .collect(Collectors.joining(", "));
            s.append(String.format("  %-24s %s [%s]%n", flag, o.help(), commands));
        }
        return s.toString();
    }
}
