package io.github.nola4j.samples;

import io.github.nola4j.samples.bench.BenchMain;
import io.github.nola4j.samples.check.BackendCheck;
import io.github.nola4j.samples.check.BackendFailure;
import io.github.nola4j.samples.data.InvalidDataException;
import io.github.nola4j.samples.report.ReportCommands;
import io.github.nola4j.samples.serve.ServeCommands;
import io.github.nola4j.samples.soak.SoakMain;
import io.github.nola4j.samples.spark.SparkCommand;
import io.github.nola4j.samples.spark.SparkSettings;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.TrainCommands;
import io.github.nola4j.samples.zoo.ZooCommand;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Entry point of {@code nola-samples.jar}: parses the command line ({@link CommandLine}) and runs
 * the {@link Command}, which lives next to its package ({@link TrainCommands}, {@link ReportCommands},
 * {@link ZooCommand}, {@link BenchMain}, {@link BackendCheck}). Results go to stdout, progress to stderr.
 */
public final class SamplesMain {

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
        if (args.length == 0 || !args[0].equals(Command.SOAK.cliName())) { // soak measures with JavaCPP's defaults
            boundNativeMemory();
        }
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
            return runCommand(args);
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
        } catch (RuntimeException | LinkageError e) {
            String backend = BackendFailure.describe(e);
            if (backend == null) {
                throw e;
            }
            err.println("error: " + backend);
            return EXIT_DATA;
        }
    }

    private int runCommand(String[] args) {
        if (args[0].equals(Command.SPARK.cliName())) { // its own options (SparkSettings), with the Spark jar's
            if (Arrays.asList(args).contains("--help")) {
                out.println("usage: java -jar nola-samples-spark.jar " + SparkSettings.USAGE + "\n\n" + Command.SPARK.help());
                return 0;
            }
            return SparkCommand.run(Arrays.copyOfRange(args, 1, args.length), TrainCommands.DEFAULT_WORK_DIR, out, err,
                    ProgressBar.forStream(err));
        }
        CommandLine line = CommandLine.parse(args);
        if (line.has(Option.HELP)) {
            out.print(usage(line.command()));
            return 0;
        }
        ProgressBar progress = line.has(Option.QUIET) ? ProgressBar.SILENT : ProgressBar.forStream(err);
        switch (line.command()) {
            case DEMO -> new TrainCommands(out).demo(line, progress);
            case PRETRAIN -> new TrainCommands(out).pretrain(line, progress);
            case FINETUNE -> new TrainCommands(out).finetune(line, progress);
            case COMPARE -> new ReportCommands(out).compare(line, progress);
            case QUANTIZE -> new ReportCommands(out).quantize(line, progress);
            case ZOO -> new ZooCommand(out).run(line, progress);
            case VIT -> new io.github.nola4j.samples.vit.VitCommand(out).run(line, progress);
            case BENCH -> BenchMain.run(line.has(Option.SCENARIO) ? line.text(Option.SCENARIO) : "all",
                    line.integer(Option.STEPS, BenchMain.DEFAULT_STEPS, BenchMain.MIN_STEPS),
                    line.integer(Option.WARMUP, BenchMain.DEFAULT_WARMUP, 1), line.has(Option.PROFILE), out);
            case SOAK -> {
                boolean passed = SoakMain.run(line.has(Option.SCENARIO) ? line.text(Option.SCENARIO) : "all",
                        line.integer(Option.CYCLES, SoakMain.DEFAULT_CYCLES, 1),
                        line.integer(Option.WARMUP, SoakMain.DEFAULT_WARMUP, 1),
                        line.integer(Option.LIMIT_MB, SoakMain.DEFAULT_LIMIT_MB, 1), out);
                return passed ? 0 : EXIT_DATA;
            }
            case SERVE, LOADTEST, MAKE_ADAPTERS -> {
                try {
                    return ServeCommands.run(line, out);
                } catch (java.io.IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case GPU_CHECK -> {
                return BackendCheck.run(out, !line.has(Option.NO_BENCH)) == 0 ? 0 : EXIT_DATA;
            }
            default -> throw new IllegalStateException(line.command().toString());
        }
        return 0;
    }

    /** @return the help text, generated from {@link Command} and {@link Option} */
    static String usage() {
        StringBuilder s = new StringBuilder("usage: java -jar nola-samples.jar <command> [options]\n\ncommands:\n");
        for (Command c : Command.values()) {
            s.append(String.format("  %-10s %s%n", c.cliName(), c.help()));
        }
        s.append("\noptions (commands that take them):\n");
        for (Option o : Option.values()) {
            String flag = o.flag() + (o.value() == null ? "" : " " + o.value());
            String commands = Arrays.stream(Command.values()).filter(o::appliesTo).map(Command::cliName)
                    .collect(Collectors.joining(", "));
            s.append(String.format("  %-24s %s [%s]%n", flag, o.help(), commands));
        }
        return s.toString();
    }

    /** @return the help text of one command: what it does and the options it takes */
    static String usage(Command command) {
        StringBuilder s = new StringBuilder("usage: java -jar nola-samples.jar " + command.cliName()
                + " [options]\n\n" + command.help() + "\n\noptions:\n");
        for (Option o : Option.values()) {
            if (o.appliesTo(command)) {
                String flag = o.flag() + (o.value() == null ? "" : " " + o.value());
                s.append(String.format("  %-24s %s%n", flag, o.help()));
            }
        }
        return s.toString();
    }
}
