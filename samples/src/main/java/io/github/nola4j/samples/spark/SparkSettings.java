package io.github.nola4j.samples.spark;

import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.train.FinetuneConfig;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Options of the spark command.
 *
 * @param master        Spark master; null keeps the one spark-submit set, else local[workers]
 * @param workers       partitions trained in parallel
 * @param stepsPerRound minibatches each worker fits between two averagings
 * @param steps         Adam steps of 50 images per worker (and on one machine)
 * @param shots         training images per target class
 * @param bases         NOLA k = l
 * @param seeds         fine-tuning seeds
 * @param data          data folder, or null for the default
 * @param work          folder of the pretrained base
 * @param base          pretrained base file, or null for the one in {@code work}
 */
public record SparkSettings(String master, int workers, int stepsPerRound, int steps, int shots, int bases,
                            long[] seeds, Path data, Path work, Path base) {

    public static final int DEFAULT_WORKERS = 2;
    public static final int DEFAULT_STEPS_PER_ROUND = 5;

    /** Help text of the options, one per line. */
    public static final String USAGE = "spark [--master URL] [--workers N] [--steps-per-round N] [--steps N] "
            + "[--shots N] [--bases N] [--seeds LIST] [--data DIR] [--work DIR | --base FILE]";

    /** @throws UsageException for an unknown option or a bad value */
    public static SparkSettings parse(String[] args, Path defaultWork) {
        String master = null;
        int workers = DEFAULT_WORKERS;
        int perRound = DEFAULT_STEPS_PER_ROUND;
        int steps = FinetuneConfig.DEFAULT_STEPS;
        int shots = FinetuneConfig.DEFAULT_SHOTS;
        int bases = Method.DEFAULT_BASES;
        long[] seeds = {FinetuneConfig.DEFAULT_SEED};
        Path data = null;
        Path work = defaultWork;
        Path base = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new UsageException(flag + " needs a value; usage: " + USAGE);
            }
            String value = args[++i];
            switch (flag) {
                case "--master" -> master = value;
                case "--workers" -> workers = positive(flag, value);
                case "--steps-per-round" -> perRound = positive(flag, value);
                case "--steps" -> steps = positive(flag, value);
                case "--shots" -> shots = positive(flag, value);
                case "--bases" -> bases = positive(flag, value);
                case "--seeds" -> seeds = Arrays.stream(value.split(",")).mapToLong(s -> positive(flag, s)).toArray();
                case "--data" -> data = Path.of(value);
                case "--work" -> work = Path.of(value);
                case "--base" -> base = Path.of(value);
                default -> throw new UsageException("unknown option " + flag + " for spark; usage: " + USAGE);
            }
        }
        if (steps % perRound != 0) {
            throw new UsageException("--steps " + steps + " is not a multiple of --steps-per-round " + perRound
                    + ": every round trains the same number of steps; use e.g. --steps " + (steps / perRound + 1)
                    * perRound);
        }
        return new SparkSettings(master, workers, perRound, steps, shots, bases, seeds, data, work, base);
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(flag + " " + value + " must be a whole number > 0, e.g. " + flag + " 2");
    }

    /** @return averaging rounds: steps / stepsPerRound */
    public int rounds() {
        return steps / stepsPerRound;
    }
}
