package io.github.nola4j.samples.report;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import io.github.nola4j.samples.CommandLine;
import io.github.nola4j.samples.Option;
import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.CnnTransfer;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.FinetuneConfig;
import io.github.nola4j.samples.train.PretrainConfig;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.TrainCommands;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The {@code compare} and {@code quantize} commands: many fine-tuning runs, one report. */
public final class ReportCommands {

    /** Default folder of the compare and quantize reports. */
    public static final Path DEFAULT_OUT_DIR = Path.of("nola-report");
    /** Default shots settings of compare. */
    public static final int[] DEFAULT_COMPARE_SHOTS = {5, 10, 100};
    /** Default seeds of compare and quantize. */
    public static final int[] DEFAULT_SEEDS = {1, 2, 3};
    /** Default k = l settings of quantize. */
    public static final int[] DEFAULT_QUANT_BASES = {64, 256};

    private final PrintStream out;
    private final TrainCommands train;

    /** @param out where the results go (progress goes to the progress bar's stream) */
    public ReportCommands(PrintStream out) {
        this.out = out;
        this.train = new TrainCommands(out);
    }

    public void compare(CommandLine line, ProgressBar progress) {
        int rank = line.integer(Option.RANK, Method.DEFAULT_RANK, 1);
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
        MultiLayerNetwork base = line.has(Option.REPORT_ONLY) ? null : train.base(line, data, progress);
        List<RunRecord> runs = c.run(base, data, outDir, progress, out);
        // with --report-only there is no base: a fresh network of the architecture has the same layers
        String adapted = String.join(", ", CnnTransfer.adaptedLayers(base != null ? base
                : line.architecture().create(c.classes().length, PretrainConfig.DEFAULT_SEED)));
        String header = "The " + line.architecture().description() + " pretrained on classes "
                + CommandLine.list(line.classes(Option.SOURCE_CLASSES, PretrainConfig.DEFAULT_SOURCE_CLASSES))
                + ", transferred to classes " + CommandLine.list(c.classes()) + " with a new head; adapters on "
                + adapted + ", NOLA and LoRA with s = 1/r, NOLA r = " + rank + ". Data: " + data.description()
                + ". Made by `java -jar nola-samples.jar compare" + (line.has(Option.ARCH) ? " --arch "
                + line.architecture().cliName() : "") + "`.";
        ReportWriter.write(c, runs, outDir, header);
        out.printf("  report                %s (%.1f min)%n", outDir.resolve(ReportWriter.REPORT),
                (System.nanoTime() - start) / 60e9);
    }

    public void quantize(CommandLine line, ProgressBar progress) {
        int rank = line.integer(Option.RANK, Method.DEFAULT_RANK, 1);
        Quantization q = new Quantization(line.integers(Option.BASES, DEFAULT_QUANT_BASES, 1), seeds(line),
                line.classes(Option.CLASSES, FinetuneConfig.DEFAULT_CLASSES),
                line.integer(Option.SHOTS, FinetuneConfig.DEFAULT_SHOTS, 1),
                line.integer(Option.STEPS, FinetuneConfig.DEFAULT_STEPS, 1), rank,
                Arrays.stream(line.integers(Option.QAT_BITS, Quantization.DEFAULT_QAT_BITS, 0)).filter(b -> b > 0)
                        .toArray());
        for (int bits : q.qatBits()) {
            if (!CoefficientQuantization.isSupported(bits)) {
                throw new UsageException("--qat-bits " + line.text(Option.QAT_BITS) + ": " + bits + " must be from "
                        + CoefficientQuantization.MIN_BITS + " to " + CoefficientQuantization.MAX_BITS
                        + " (or 0 for none), e.g. --qat-bits 4,3");
            }
        }
        Path outDir = line.path(Option.OUT, DEFAULT_OUT_DIR);
        long start = System.nanoTime();
        TrainTestData data = FashionMnist.load(line.path(Option.DATA));
        out.println("quantize NOLA coefficients");
        out.println("  data                  " + data.description());
        MultiLayerNetwork base = train.base(line, data, progress);
        q.run(base, data, outDir, progress, out, "Default task (" + q.shots() + " images per class, " + q.steps()
                + " steps), NOLA r = " + rank + ", s = 1/r. Data: " + data.description()
                + ". Made by `java -jar nola-samples.jar quantize`.");
        out.printf("  report                %s (%.1f min)%n", outDir.resolve(Quantization.REPORT),
                (System.nanoTime() - start) / 60e9);
    }

    private static long[] seeds(CommandLine line) {
        return Arrays.stream(line.integers(Option.SEEDS, DEFAULT_SEEDS, 0)).asLongStream().toArray();
    }
}
