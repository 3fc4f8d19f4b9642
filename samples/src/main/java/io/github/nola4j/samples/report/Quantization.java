package io.github.nola4j.samples.report;

import io.github.nola4j.zoo.TransferResult;
import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.FinetuneConfig;
import io.github.nola4j.samples.train.FinetuneResult;
import io.github.nola4j.samples.train.Finetuning;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.SavedAdapters;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * NOLA accuracy after quantising the saved coefficients: one full-precision training per k and
 * seed, saved with {@link SavedAdapters} at 32, 8, 4 and 3 bits, each loaded into a fresh network
 * and evaluated (post-training quantisation); and training with quantisation-aware training at 4
 * and 3 bits, saved at that width, reloaded and evaluated. Writes {@code quantization.md}.
 *
 * @param numBases k = l settings
 * @param seeds    run seeds
 * @param classes  target classes
 * @param shots    images per class
 * @param steps    Adam steps
 * @param rank     r
 * @param qatBits  widths of quantisation-aware training
 */
public record Quantization(int[] numBases, long[] seeds, int[] classes, int shots, int steps, int rank,
                           int[] qatBits) {

    /** Bits of the post-training rows (32 is the full-precision file). */
    public static final int[] SAVED_BITS = {32, 8, 4, 3};
    /** Default bits of the quantisation-aware training rows. */
    public static final int[] DEFAULT_QAT_BITS = {4, 3};
    public static final String RUNS_FILE = "quant.csv";
    public static final String REPORT = "quantization.md";

    /** One evaluated adapter file: {@code mode} is "ptq32" (fp32), "ptq8", ..., "qat4", "qat3". */
    public record Row(int numBases, long seed, int steps, String mode, double accuracy, long fileBytes) {
        static final String HEADER = "bases,seed,steps,mode,accuracy,file_bytes";

        String toCsv() {
            return String.format(Locale.ROOT, "%d,%d,%d,%s,%.6f,%d", numBases, seed, steps, mode, accuracy, fileBytes);
        }

        static Row fromCsv(String line) {
            String[] f = line.split(",", -1);
            return new Row(Integer.parseInt(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3],
                    Double.parseDouble(f[4]), Long.parseLong(f[5]));
        }
    }

    /** Runs what is not yet in {@code quant.csv} of {@code outDir}, then writes the report. */
    public void run(MultiLayerNetwork base, TrainTestData data, Path outDir, ProgressBar progress, PrintStream out,
                    String header) {
        RunLog<Row> log = new RunLog<>(outDir.resolve(RUNS_FILE), Row.HEADER, Row::fromCsv, Row::toCsv);
        Path tmp;
        try {
            tmp = Files.createTempDirectory("nola-quant");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        for (int k : numBases) {
            for (long seed : seeds) {
                if (!done(log, k, seed, "ptq", SAVED_BITS)) {
                    FinetuneConfig config = config(k, seed, 0);
                    FinetuneResult r = Finetuning.run(base, data, config, progress);
                    for (int bits : SAVED_BITS) {
                        log.add(evaluateSaved(base, data, config, r.transfer(), tmp, "ptq" + bits, bits, progress, out));
                    }
                }
                for (int bits : qatBits) {
                    if (!done(log, k, seed, "qat", bits)) {
                        FinetuneConfig config = config(k, seed, bits);
                        FinetuneResult r = Finetuning.run(base, data, config, progress);
                        log.add(evaluateSaved(base, data, config, r.transfer(), tmp, "qat" + bits, bits, progress, out));
                    }
                }
                writeReport(log, outDir, header); // after every seed, so an interrupted run leaves a report
            }
        }
        writeReport(log, outDir, header);
    }

    private void writeReport(RunLog<Row> log, Path outDir, String header) {
        try {
            Files.writeString(outDir.resolve(REPORT), markdown(log.records(), header), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + outDir.resolve(REPORT) + ": " + e.getMessage(), e);
        }
    }

    private FinetuneConfig config(int k, long seed, int qatBits) {
        AdapterSpec settings = Method.NOLA.spec(rank, k, seed).withQuantizationBits(qatBits);
        return new FinetuneConfig(Method.NOLA, classes, shots, settings, steps, FinetuneConfig.DEFAULT_BATCH,
                Method.NOLA.defaultLearningRate(settings), seed);
    }

    private Row evaluateSaved(MultiLayerNetwork base, TrainTestData data, FinetuneConfig config,
                              TransferResult<MultiLayerNetwork> trained, Path tmp, String mode, int bits, ProgressBar progress,
                              PrintStream out) {
        Path file = tmp.resolve("nola" + config.adapter().numBasesA() + "-" + config.seed() + "-" + mode + ".nola");
        long bytes = SavedAdapters.save(trained, file, "fashion-mnist", bits);
        double accuracy = Finetuning.evaluate(SavedAdapters.load(base, file), data, config, progress);
        out.printf("  NOLA k=l=%d seed %d %-6s %,6d bytes: %.2f %%%n", config.adapter().numBasesA(), config.seed(),
                mode, bytes, 100 * accuracy);
        return new Row(config.adapter().numBasesA(), config.seed(), steps, mode, accuracy, bytes);
    }

    private boolean done(RunLog<Row> log, int k, long seed, String prefix, int... bits) {
        return Arrays.stream(bits).allMatch(b -> log.find(r -> r.numBases() == k && r.seed() == seed
                && r.steps() == steps && r.mode().equals(prefix + b)).isPresent());
    }

    String markdown(List<Row> rows, String header) {
        StringBuilder s = new StringBuilder("# NOLA coefficients quantised\n\n").append(header).append("\n\n")
                .append("Accuracy % (mean ± sample std over seeds ")
                .append(Arrays.stream(seeds).mapToObj(Long::toString).collect(Collectors.joining(", ")))
                .append(") of adapters saved with AdapterFiles (α, β at the given width, head in fp32), loaded into a ")
                .append("fresh network and evaluated. PTQ: trained in fp32, quantised when saved. QAT: trained with ")
                .append("quantizationBits(b), saved at b bits. Size: the adapter file, the 5-class head included.\n\n")
                .append("| k = l | fp32 | PTQ 8 bit | PTQ 4 bit | PTQ 3 bit | QAT 4 bit | QAT 3 bit |\n")
                .append("|---|---|---|---|---|---|---|\n");
        String[] modes = {"ptq32", "ptq8", "ptq4", "ptq3", "qat4", "qat3"};
        for (int k : numBases) {
            StringBuilder acc = new StringBuilder("| " + k + " |");
            StringBuilder size = new StringBuilder("| bytes |");
            StringBuilder each = new StringBuilder("| seeds |");
            for (String mode : modes) {
                List<Row> mine = rows.stream().filter(r -> r.numBases() == k && r.steps() == steps
                        && r.mode().equals(mode) && Arrays.stream(seeds).anyMatch(x -> x == r.seed())).toList();
                acc.append(' ').append(Stats.of(mine.stream().mapToDouble(Row::accuracy).toArray()).percent())
                        .append(" |");
                size.append(mine.isEmpty() ? " – |" : String.format(Locale.ROOT, " %,d |", mine.get(0).fileBytes()));
                each.append(' ').append(mine.stream().map(r -> String.format(Locale.ROOT, "%.2f", 100 * r.accuracy()))
                        .collect(Collectors.joining(" / "))).append(" |");
            }
            s.append(acc).append('\n').append(size).append('\n').append(each).append('\n');
        }
        return s.toString();
    }
}
