package io.github.nola4j.samples.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A CSV file of finished runs, appended to after every run so that an interrupted comparison
 * resumes where it stopped.
 *
 * @param <R> the record type of a line
 */
public final class RunLog<R> {

    private final Path file;
    private final String header;
    private final Function<R, String> toCsv;
    private final List<R> records = new ArrayList<>();

    /** Opens {@code file}, reading the runs already in it. */
    public RunLog(Path file, String header, Function<String, R> fromCsv, Function<R, String> toCsv) {
        this.file = file;
        this.header = header;
        this.toCsv = toCsv;
        try {
            if (Files.isRegularFile(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.isEmpty() || !lines.get(0).equals(header)) {
                    throw new IllegalArgumentException(file + " is not a run log of this version (its first line is "
                            + "not \"" + header + "\"); move it away or choose another --out");
                }
                for (String line : lines.subList(1, lines.size())) {
                    if (!line.isBlank()) {
                        records.add(fromCsv.apply(line));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the runs, in the order they finished */
    public List<R> records() {
        return List.copyOf(records);
    }

    /** @return the first run that satisfies {@code test} */
    public Optional<R> find(java.util.function.Predicate<R> test) {
        return records.stream().filter(test).findFirst();
    }

    /** Appends a finished run to the file. */
    public void add(R record) {
        records.add(record);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String line = toCsv.apply(record) + "\n";
            if (!Files.exists(file)) {
                line = header + "\n" + line;
            }
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
