package io.github.nola4j.samples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of the samples command line in this JVM, with what it printed.
 *
 * @param status exit status
 * @param stdout what it printed to its standard output
 * @param stderr what it printed to its standard error
 */
public record CliRun(int status, String stdout, String stderr) {

    /** Runs {@code args} through {@link SamplesMain#run}, capturing both streams. */
    public static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new SamplesMain(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** @return the error message of {@code command args}, which must fail as a usage error */
    public static String usageError(String command, String... args) {
        String[] line = new String[args.length + 1];
        line[0] = command;
        System.arraycopy(args, 0, line, 1, args.length);
        CliRun r = of(line);
        if (r.status() != SamplesMain.EXIT_USAGE) {
            throw new AssertionError("expected exit status " + SamplesMain.EXIT_USAGE + " from " + String.join(" ", line)
                    + ", got " + r.status() + ": " + r.stderr());
        }
        return r.stderr();
    }
}
