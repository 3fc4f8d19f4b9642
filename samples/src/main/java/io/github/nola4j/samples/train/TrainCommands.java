package io.github.nola4j.samples.train;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import io.github.nola4j.samples.CommandLine;
import io.github.nola4j.samples.Option;
import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.zoo.AdapterSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.nio.file.Path;

/** The {@code demo}, {@code pretrain} and {@code finetune} commands, and the base the other commands start from. */
public final class TrainCommands {

    /** Default folder for the pretrained base. */
    public static final Path DEFAULT_WORK_DIR = Path.of("nola-work");

    private final PrintStream out;

    /** @param out where the results go (progress goes to the progress bar's stream) */
    public TrainCommands(PrintStream out) {
        this.out = out;
    }

    public void demo(CommandLine line, ProgressBar progress) {
        long start = System.nanoTime();
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        PretrainConfig pretrainConfig = new PretrainConfig(line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES), PretrainConfig.DEFAULT_EPOCHS, PretrainConfig.DEFAULT_BATCH,
                PretrainConfig.DEFAULT_SEED);
        FinetuneConfig config = finetuneConfig(line, Method.NOLA);
        Path work = line.writableFolder(Option.WORK, DEFAULT_WORK_DIR); // checked now, not after minutes of work
        out.println("nola4j demo: NOLA transfer on Fashion-MNIST");
        out.println("  data                  " + data.description());
        PretrainResult base = Pretraining.loadOrTrain(data, pretrainConfig, work, progress);
        printBase(base, pretrainConfig);
        FinetuneResult result = Finetuning.run(base.net(), data, config, progress);
        printResult(result, config);
        out.printf("  total time            %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    public void pretrain(CommandLine line, ProgressBar progress) {
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        PretrainConfig config = new PretrainConfig(line.architecture(), line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES), line.integer(Option.EPOCHS, PretrainConfig.DEFAULT_EPOCHS, 1),
                PretrainConfig.DEFAULT_BATCH, line.seed(Option.SEED, PretrainConfig.DEFAULT_SEED));
        Path file = line.writableFolder(Option.WORK, DEFAULT_WORK_DIR).resolve(config.fileName(data.id()));
        out.println("pretrain " + config.architecture().description() + " on classes "
                + CommandLine.list(config.sourceClasses()));
        out.println("  data                  " + data.description());
        printBase(Pretraining.train(data, config, file, progress), config);
    }

    public void finetune(CommandLine line, ProgressBar progress) {
        FinetuneConfig config = finetuneConfig(line, line.method());
        int bits = line.oneOf(Option.BITS, SavedAdapters.FP32_BITS, SavedAdapters.BITS);
        if ((line.has(Option.SAVE) || line.has(Option.QAT_BITS)) && config.method() != Method.NOLA) {
            throw new UsageException((line.has(Option.SAVE) ? "--save" : "--qat-bits") + " applies to --method nola "
                    + "only (an adapter file holds NOLA coefficients); use --export for the merged network");
        }
        if (line.has(Option.BITS) && !line.has(Option.SAVE)) {
            throw new UsageException("--bits sets the width of --save; add --save FILE");
        }
        Path saveFile = line.writablePath(Option.SAVE); // checked now, not after the training
        Path exportFile = line.writablePath(Option.EXPORT);
        if (!line.has(Option.BASE)) {
            line.writableFolder(Option.WORK, DEFAULT_WORK_DIR); // where the base is pretrained and cached
        }
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("finetune " + config.method().cliName() + " (" + config.method().description() + ")");
        out.println("  data                  " + data.description());
        MultiLayerNetwork base = base(line, data, progress);
        FinetuneResult result = Finetuning.run(base, data, config, progress);
        printResult(result, config);
        if (line.has(Option.SAVE)) {
            Path file = saveFile;
            long bytes = SavedAdapters.save(result.transfer(), file, "fashion-mnist " + CommandLine.list(config.classes()), bits);
            double reloaded = Finetuning.evaluate(SavedAdapters.load(base, file), data, config,
                    progress);
            out.printf("  saved adapter         %s (%,d bytes, coefficients at %d bits, head in fp32); reloaded into a "
                    + "fresh network: %.2f %%%n", file, bytes, bits, 100 * reloaded);
        }
        if (line.has(Option.EXPORT)) {
            Path file = exportFile;
            long bytes = SavedAdapters.export(result.net(), file);
            out.printf("  exported              %s (%,d bytes, plain DL4J layers; ModelSerializer"
                    + ".restoreMultiLayerNetwork reads it)%n", file, bytes);
        }
    }

    /** @return the base of --base, else the one in --work (pretrained and saved there if missing) */
    public MultiLayerNetwork base(CommandLine line, TrainTestData data, ProgressBar progress) {
        if (line.has(Option.BASE)) {
            out.println("  base                  " + line.path(Option.BASE));
            return Pretraining.load(line.path(Option.BASE));
        }
        PretrainConfig pretrainConfig = new PretrainConfig(line.architecture(), line.classes(Option.SOURCE_CLASSES,
                PretrainConfig.DEFAULT_SOURCE_CLASSES), PretrainConfig.DEFAULT_EPOCHS,
                PretrainConfig.DEFAULT_BATCH, PretrainConfig.DEFAULT_SEED);
        Path work = line.writableFolder(Option.WORK, DEFAULT_WORK_DIR);
        if (!Pretraining.isCached(data, pretrainConfig, work)) {
            out.println("  base                  none in " + work + " yet: pretraining one first ("
                    + pretrainConfig.epochs() + " epochs on classes " + CommandLine.list(pretrainConfig.sourceClasses())
                    + ", minutes on a CPU; cached for later runs). Pass --base FILE to use another");
        }
        PretrainResult result = Pretraining.loadOrTrain(data, pretrainConfig, work, progress);
        printBase(result, pretrainConfig);
        return result.net();
    }

    private static FinetuneConfig finetuneConfig(CommandLine line, Method method) {
        int bases = line.integer(Option.BASES, Method.DEFAULT_BASES, 1);
        int rank = line.integer(Option.RANK, Method.DEFAULT_RANK, 1);
        long seed = line.seed(Option.SEED, FinetuneConfig.DEFAULT_SEED);
        AdapterSpec settings = method.spec(rank, bases, seed);
        if (line.has(Option.SCALE)) {
            settings = settings.withScale(line.positive(Option.SCALE));
        }
        if (line.has(Option.QAT_BITS)) {
            int bits = line.integer(Option.QAT_BITS, 0, CoefficientQuantization.MIN_BITS);
            if (bits > CoefficientQuantization.MAX_BITS) {
                throw new UsageException("--qat-bits " + bits + " must be from " + CoefficientQuantization.MIN_BITS
                        + " to " + CoefficientQuantization.MAX_BITS + ", e.g. --qat-bits 4");
            }
            settings = settings.withQuantizationBits(bits);
        }
        double lr = line.has(Option.LR) ? line.positive(Option.LR) : method.defaultLearningRate(settings);
        return new FinetuneConfig(method, line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1), settings,
                line.integer(Option.STEPS, FinetuneConfig.DEFAULT_STEPS, 1), FinetuneConfig.DEFAULT_BATCH, lr, seed,
                line.integer(Option.WORKERS, 1, 1),
                line.has(Option.HEAD_LR) ? line.positive(Option.HEAD_LR) : FinetuneConfig.DEFAULT_HEAD_LR);
    }

    private void printBase(PretrainResult base, PretrainConfig config) {
        if (base.cached()) {
            out.println("  base                  " + base.file() + " (cached; delete it to pretrain again)");
        } else {
            out.printf("  base                  %s (classes %s, %d epochs: %.2f %% on their test images, %.1f s)%n",
                    base.file(), CommandLine.list(config.sourceClasses()), config.epochs(), 100 * base.accuracy(),
                    base.seconds());
        }
    }

    private void printResult(FinetuneResult r, FinetuneConfig c) {
        out.printf("  target task           classes %s, %d images per class, %d steps of %d, lr %s, head lr %s, seed %d%n",
                CommandLine.list(c.classes()), c.shots(), c.steps(), c.batchSize(), c.learningRate(),
                c.headLearningRate(), c.seed());
        if (c.method() == Method.NOLA) {
            out.printf("  adapters              NOLA r = %d, s = %s, k = l = %d%s on %s%n",
                    c.adapter().rank(), Method.scaleText(c.adapter()), c.adapter().numBasesA(),
                    c.adapter().quantizationBits() > 0 ? ", trained with " + c.adapter().quantizationBits()
                            + "-bit coefficients" : "", adaptedNames(r));
        } else if (c.method() == Method.LORA) {
            out.printf("  adapters              LoRA r = %d, s = %s on %s%n",
                    c.adapter().rank(), Method.scaleText(c.adapter()), adaptedNames(r));
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

    private static String adaptedNames(FinetuneResult r) {
        return String.join(", ", r.transfer().summary().adaptedLayers());
    }
}
