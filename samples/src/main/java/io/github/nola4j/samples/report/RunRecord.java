package io.github.nola4j.samples.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One fine-tuning run of a comparison, as a line of {@code runs.csv}.
 *
 * @param variant        {@link Variant#id()}
 * @param shots          training images per class
 * @param seed           run seed
 * @param steps          Adam steps
 * @param learningRate   Adam learning rate
 * @param accuracy       test accuracy in [0, 1]
 * @param trainable      trained parameters below the head
 * @param adapterBytes   those parameters at 32 bits
 * @param trainSeconds   fine-tuning time
 * @param losses         loss of every step
 */
public record RunRecord(String variant, int shots, long seed, int steps, double learningRate, double accuracy,
                        long trainable, long adapterBytes, double trainSeconds, double[] losses) {

    /** Header line of the CSV file. */
    public static final String HEADER = "variant,shots,seed,steps,lr,accuracy,trainable,adapter_bytes,train_seconds,"
            + "losses";

    /** @return whether this run is the one of that variant, shots, seed, steps and learning rate */
    public boolean isRun(String otherVariant, int otherShots, long otherSeed, int otherSteps, double otherRate) {
        return variant.equals(otherVariant) && shots == otherShots && seed == otherSeed && steps == otherSteps
                && learningRate == otherRate;
    }

    /** @return the CSV line (losses separated by ';') */
    public String toCsv() {
        return String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%.6f,%d,%d,%.2f,%s", variant, shots, seed, steps,
                learningRate, accuracy, trainable, adapterBytes, trainSeconds, Arrays.stream(losses)
                        .mapToObj(v -> String.format(Locale.ROOT, "%.5f", v)).collect(Collectors.joining(";")));
    }

    /** @throws IllegalArgumentException for a malformed line */
    public static RunRecord fromCsv(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 10) {
            throw new IllegalArgumentException("runs.csv line has " + f.length + " fields instead of 10: " + line);
        }
        double[] losses = f[9].isEmpty() ? new double[0]
                : Arrays.stream(f[9].split(";")).mapToDouble(Double::parseDouble).toArray();
        return new RunRecord(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                Double.parseDouble(f[8]), losses);
    }
}
