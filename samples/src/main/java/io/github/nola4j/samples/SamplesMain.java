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
import io.github.nola4j.samples.report.Comparison;
import io.github.nola4j.samples.report.Quantization;
import io.github.nola4j.samples.report.ReportWriter;
import io.github.nola4j.samples.report.RunRecord;
import io.github.nola4j.samples.report.Variant;
import io.github.nola4j.samples.spark.SparkCommand;
import io.github.nola4j.samples.spark.SparkSettings;
import io.github.nola4j.samples.train.SavedAdapters;
import io.github.nola4j.samples.zoo.ZooConfig;
import io.github.nola4j.samples.zoo.ZooFinetuning;
import io.github.nola4j.samples.zoo.ZooResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Entry point of {@code nola-samples.jar}: {@code demo}, {@code pretrain}, {@code finetune},
 * {@code compare}, {@code quantize} and {@code zoo} (ResNet50) on Fashion-MNIST. Results go to stdout, progress bars to stderr.
 */
public final class SamplesMain {

    /** Default folder for the pretrained base. */
    public static final Path DEFAULT_WORK_DIR = Path.of("nola-work");
    /** Default folder of the compare and quantize reports. */
    public static final Path DEFAULT_OUT_DIR = Path.of("nola-report");
    /** Default shots settings of compare. */
    public static final int[] DEFAULT_COMPARE_SHOTS = {5, 10, 100};
    /** Default seeds of compare and quantize. */
    public static final int[] DEFAULT_SEEDS = {1, 2, 3};
    /** Default k = l settings of quantize. */
    public static final int[] DEFAULT_QUANT_BASES = {64, 256};
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
        System.setProperty("java.awt.headless", "true");
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
            if (args[0].equals("spark")) {
                return SparkCommand.run(Arrays.copyOfRange(args, 1, args.length), DEFAULT_WORK_DIR, out, err,
                        new ProgressBar(err, "", 1));
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
                case COMPARE -> compare(line, progress);
                case QUANTIZE -> quantize(line, progress);
                case ZOO -> zoo(line, progress);
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
        int bits = line.oneOf(Option.BITS, SavedAdapters.FP32_BITS, SavedAdapters.BITS);
        if ((line.has(Option.SAVE) || line.has(Option.QAT_BITS)) && config.method() != Method.NOLA) {
            throw new UsageException((line.has(Option.SAVE) ? "--save" : "--qat-bits") + " applies to --method nola "
                    + "only (an adapter file holds NOLA coefficients); use --export for the merged network");
        }
        if (line.has(Option.BITS) && !line.has(Option.SAVE)) {
            throw new UsageException("--bits sets the width of --save; add --save FILE");
        }
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("finetune " + config.method().cliName() + " (" + config.method().description() + ")");
        out.println("  data                  " + data.description());
        MultiLayerNetwork base = base(line, data, progress);
        FinetuneResult result = Finetuning.run(base, data, config, progress);
        printResult(result, config);
        if (line.has(Option.SAVE)) {
            Path file = line.path(Option.SAVE);
            long bytes = SavedAdapters.save(result.net(), file, "fashion-mnist " + classList(config.classes()), bits);
            double reloaded = Finetuning.evaluate(SavedAdapters.load(base, config, file), data, config,
                    progress);
            out.printf("  saved adapter         %s (%,d bytes, coefficients at %d bits, head in fp32); reloaded into a "
                    + "fresh network: %.2f %%%n", file, bytes, bits, 100 * reloaded);
        }
        if (line.has(Option.EXPORT)) {
            Path file = line.path(Option.EXPORT);
            long bytes = SavedAdapters.export(result.net(), file);
            out.printf("  exported              %s (%,d bytes, plain DL4J layers; ModelSerializer"
                    + ".restoreMultiLayerNetwork reads it)%n", file, bytes);
        }
    }

    private void compare(CommandLine line, ProgressBar progress) {
        int rank = line.integer(Option.RANK, AdapterSettings.DEFAULT_RANK, 1);
        List<Variant> variants = Variant.parseList(line.has(Option.METHODS) ? line.text(Option.METHODS)
                : Variant.DEFAULT_LIST, rank);
        Comparison c = new Comparison(variants, line.integers(Option.SHOTS, DEFAULT_COMPARE_SHOTS, 1),
                seeds(line), line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.STEPS, FinetuneConfig.DEFAULT_STEPS, 1));
        Path outDir = line.path(Option.OUT, DEFAULT_OUT_DIR);
        long start = System.nanoTime();
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("compare " + variants.stream().map(Variant::label).collect(Collectors.joining(", ")));
        out.println("  data                  " + data.description());
        MultiLayerNetwork base = line.has(Option.REPORT_ONLY) ? null : base(line, data, progress);
        List<RunRecord> runs = c.run(base, data, outDir, progress, out);
        String header = "Base CNN pretrained on classes " + classList(line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES)) + ", transferred to classes " + classList(c.classes())
                + " with a new head; adapters on conv1, conv2, conv3 and dense, NOLA and LoRA with s = 1/r, NOLA r = "
                + rank + ". Data: " + data.description() + ". Made by `java -jar nola-samples.jar compare`.";
        ReportWriter.write(c, runs, outDir, header);
        out.printf("  report                %s (%.1f min)%n", outDir.resolve(ReportWriter.REPORT),
                (System.nanoTime() - start) / 60e9);
    }

    private void quantize(CommandLine line, ProgressBar progress) {
        int rank = line.integer(Option.RANK, AdapterSettings.DEFAULT_RANK, 1);
        Quantization q = new Quantization(line.integers(Option.BASES, DEFAULT_QUANT_BASES, 1), seeds(line),
                line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1),
                line.integer(Option.STEPS, FinetuneConfig.DEFAULT_STEPS, 1), rank,
                Arrays.stream(line.integers(Option.QAT_BITS, Quantization.DEFAULT_QAT_BITS, 0)).filter(b -> b > 0)
                        .toArray());
        for (int bits : q.qatBits()) {
            if (bits < 2 || bits > 8) {
                throw new UsageException("--qat-bits " + line.text(Option.QAT_BITS) + ": " + bits + " must be from 2 "
                        + "to 8 (or 0 for none), e.g. --qat-bits 4,3");
            }
        }
        Path outDir = line.path(Option.OUT, DEFAULT_OUT_DIR);
        long start = System.nanoTime();
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("quantize NOLA coefficients");
        out.println("  data                  " + data.description());
        MultiLayerNetwork base = base(line, data, progress);
        q.run(base, data, outDir, progress, out, "Default task (" + q.shots() + " images per class, " + q.steps()
                + " steps), NOLA r = " + rank + ", s = 1/r. Data: " + data.description()
                + ". Made by `java -jar nola-samples.jar quantize`.");
        out.printf("  report                %s (%.1f min)%n", outDir.resolve(Quantization.REPORT),
                (System.nanoTime() - start) / 60e9);
    }

    private void zoo(CommandLine line, ProgressBar progress) {
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
                classList(config.classes()), config.shots(), config.steps(), ZooConfig.BATCH, config.learningRate(),
                config.seed());
        out.printf("  trainable parameters  %,d (%,d NOLA coefficients + %,d head); full fine-tuning trains %,d "
                + "(%.3f %% of it)%n", s.trainableParams(), s.adapterParams(), s.headParams(), r.fullFineTuneParams(),
                100.0 * s.trainableParams() / r.fullFineTuneParams());
        out.printf("  adapter size          %,d bytes (32-bit coefficients, head not included; %,d at 4 bits)%n",
                s.adapterBytes32(), s.adapterBytes4());
        out.printf("  set-up                %.0f ms (swap to NOLA layers + first forward, basis generation included)%n",
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
        int rank = line.integer(Option.RANK, AdapterSettings.DEFAULT_RANK, 1);
        return new ZooConfig(line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1), steps, size,
                line.integer(Option.BASES, AdapterSettings.DEFAULT_BASES, 1), rank,
                line.has(Option.LR) ? line.positive(Option.LR) : ZooConfig.DEFAULT_LR,
                line.seed(Option.SEED, FinetuneConfig.DEFAULT_SEED), pretrained);
    }

    private static String megabytes(long bytes) {
        return String.format("%,.1f MB", bytes / 1e6);
    }

    private static long[] seeds(CommandLine line) {
        return Arrays.stream(line.integers(Option.SEEDS, DEFAULT_SEEDS, 0)).asLongStream().toArray();
    }

    /** @return the base of --base, else the one in --work (pretrained and saved there if missing) */
    private MultiLayerNetwork base(CommandLine line, TrainTestData data, ProgressBar progress) {
        if (line.has(Option.BASE)) {
            out.println("  base                  " + line.path(Option.BASE));
            return Pretraining.load(line.path(Option.BASE));
        }
        PretrainConfig pretrainConfig = new PretrainConfig(line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES), PretrainConfig.DEFAULT_EPOCHS,
                PretrainConfig.DEFAULT_BATCH, PretrainConfig.DEFAULT_SEED);
        PretrainResult result = Pretraining.loadOrTrain(data, pretrainConfig,
                line.path(Option.WORK, DEFAULT_WORK_DIR), progress);
        printBase(result, pretrainConfig);
        return result.net();
    }

    private static FinetuneConfig finetuneConfig(CommandLine line, Method method) {
        int bases = line.integer(Option.BASES, AdapterSettings.DEFAULT_BASES, 1);
        int rank = line.integer(Option.RANK, AdapterSettings.DEFAULT_RANK, 1);
        long seed = line.seed(Option.SEED, FinetuneConfig.DEFAULT_SEED);
        AdapterSettings settings = AdapterSettings.forRun(method, rank, bases, seed);
        if (line.has(Option.SCALE)) {
            settings = settings.withScale(line.positive(Option.SCALE));
        }
        if (line.has(Option.QAT_BITS)) {
            int bits = line.integer(Option.QAT_BITS, 0, 2);
            if (bits > 8) {
                throw new UsageException("--qat-bits " + bits + " must be from 2 to 8, e.g. --qat-bits 4");
            }
            settings = settings.withQuantizationBits(bits);
        }
        double lr = line.has(Option.LR) ? line.positive(Option.LR) : method.defaultLearningRate(settings);
        return new FinetuneConfig(method, line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1), settings,
                line.integer(Option.STEPS, FinetuneConfig.DEFAULT_STEPS, 1), FinetuneConfig.DEFAULT_BATCH, lr, seed,
                line.integer(Option.WORKERS, 1, 1));
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
            out.printf("  adapters              NOLA r = %d, s = %s, k = l = %d%s on conv1, conv2, conv3, dense%n",
                    c.adapter().rank(), c.adapter().scaleText(), c.adapter().numBases(),
                    c.adapter().quantizationBits() > 0 ? ", trained with " + c.adapter().quantizationBits()
                            + "-bit coefficients" : "");
        } else if (c.method() == Method.LORA) {
            out.printf("  adapters              LoRA r = %d, s = %s on conv1, conv2, conv3, dense%n",
                    c.adapter().rank(), c.adapter().scaleText());
        }
        out.printf("  test accuracy         %.2f %% (%d test images)%n", 100 * r.accuracy(), r.testImages());
        out.printf("  trainable parameters  %,d without the head, %,d with the head (%,d)%n",
                r.trainableWithoutHead(), r.trainableWithoutHead() + r.headParams(), r.headParams());
        out.printf("  adapter size          %,d bytes (32-bit values below the head%s)%n", r.adapterBytes(),
                c.method() == Method.NOLA ? "; LoRA rank 1 would train " + String.format("%,d", r.loraRank1Params())
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
        s.append(String.format("  %-10s %s%n", "spark", "NOLA fine-tuning on Spark (nola-samples-spark.jar): "
                + "accuracy, time and bytes per round of coefficient and parameter averaging: "
                + SparkSettings.USAGE));
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
