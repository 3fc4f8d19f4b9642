package io.github.nola4j.samples;

import io.github.nola4j.samples.cnn.BaseArchitecture;
import io.github.nola4j.samples.cnn.Method;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A parsed command line: a {@link Command} and its {@link Option} values, checked on access. */
public final class CommandLine {

    private final Command command;
    private final Map<Option, String> values;

    private CommandLine(Command command, Map<Option, String> values) {
        this.command = command;
        this.values = values;
    }

    /**
     * @param args {@code command [--option value | --switch]...}; {@code --option=value} also works
     * @throws UsageException for an unknown command or option, an option the command does not take,
     *                        a missing value or a repeated option
     */
    public static CommandLine parse(String[] args) {
        if (args.length == 0) {
            throw new UsageException("no command given; use one of " + Command.names());
        }
        Command command = Command.fromCliName(args[0]);
        Map<Option, String> values = new EnumMap<>(Option.class);
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                inline = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            Option option = option(arg, command);
            String value;
            if (option.value() == null) {
                if (inline != null) {
                    throw new UsageException(option.flag() + " takes no value");
                }
                value = "true";
            } else if (inline != null) {
                value = inline;
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new UsageException(option.flag() + " needs a value: " + option.flag() + " " + option.value());
            }
            if (values.put(option, value) != null) {
                throw new UsageException(option.flag() + " is given twice; give it once");
            }
        }
        return new CommandLine(command, values);
    }

    private static Option option(String arg, Command command) {
        for (Option o : Option.values()) {
            if (o.flag().equals(arg)) {
                if (!o.appliesTo(command)) {
                    throw new UsageException(arg + " does not apply to " + command.cliName() + "; its options are "
                            + flags(command));
                }
                return o;
            }
        }
        throw new UsageException((arg.startsWith("--") ? "unknown option " : "unexpected argument ") + "\"" + arg
                + "\"; " + command.cliName() + " takes " + flags(command));
    }

    private static String flags(Command command) {
        return Arrays.stream(Option.values()).filter(o -> o.appliesTo(command)).map(Option::flag)
                .collect(Collectors.joining(" "));
    }

    /** @return whole numbers as typed on the command line, e.g. "5,6,7" */
    public static String list(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    public Command command() {
        return command;
    }

    public boolean has(Option option) {
        return values.containsKey(option);
    }

    /** @return the path given, or null */
    public Path path(Option option) {
        return has(option) ? Path.of(values.get(option)) : null;
    }

    /**
     * @return the path given for an output file, or null when the option is absent
     * @throws UsageException when the path is a folder, or its folder cannot be created or written
     */
    public Path writablePath(Option option) {
        Path path = path(option);
        if (path == null) {
            return null;
        }
        String fix = "; choose a file in a folder you can write, e.g. " + option.flag() + " out/"
                + path.getFileName();
        if (Files.isDirectory(path)) {
            throw new UsageException(option.flag() + " " + path + " is a folder, not a file" + fix);
        }
        requireWritableAbove(option, path, path.toAbsolutePath().getParent(), fix);
        return path;
    }

    /**
     * @param from the folder to start at; it, or the nearest folder above it that exists, must be a writable folder
     *             (so that {@code path} can be created there)
     * @throws UsageException naming {@code path}, the folder that is in the way and the fix
     */
    private static void requireWritableAbove(Option option, Path path, Path from, String fix) {
        Path folder = from;
        while (folder != null && !Files.exists(folder)) {
            folder = folder.getParent();
        }
        if (folder == null || !Files.isDirectory(folder) || !Files.isWritable(folder)) {
            throw new UsageException(option.flag() + " " + path + ": " + (folder == null ? "no folder exists above it"
                    : folder + (Files.isDirectory(folder) ? " is not writable" : " is a file, not a folder")) + fix);
        }
    }

    /**
     * @return the folder of {@code option} (or the fallback), checked now: it is a writable folder, or the
     *         nearest folder above it that exists is writable (so that it can be created)
     * @throws UsageException naming the folder, what is wrong and the fix
     */
    public Path writableFolder(Option option, Path fallback) {
        Path folder = path(option, fallback);
        String fix = "; choose a folder you can write, e.g. " + option.flag() + " " + fallback;
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new UsageException(option.flag() + " " + folder + " is a file, not a folder" + fix);
        }
        requireWritableAbove(option, folder, folder.toAbsolutePath(), fix);
        return folder;
    }

    public Path path(Option option, Path fallback) {
        return has(option) ? Path.of(values.get(option)) : fallback;
    }

    /** @return the integer given, at least {@code min}, or the fallback */
    public int integer(Option option, int fallback, int min) {
        if (!has(option)) {
            return fallback;
        }
        String raw = values.get(option);
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option.flag() + " " + raw + " is not a whole number; use e.g. " + option.flag()
                    + " " + Math.max(min, fallback));
        }
        if (value < min) {
            throw new UsageException(option.flag() + " " + raw + " must be at least " + min);
        }
        return value;
    }

    /**
     * @return the comma-separated whole numbers given, each at least {@code min}, or the fallback
     * @throws UsageException for a malformed, empty or repeated entry
     */
    public int[] integers(Option option, int[] fallback, int min) {
        if (!has(option)) {
            return fallback.clone();
        }
        String raw = values.get(option);
        int[] list;
        try {
            list = Arrays.stream(raw.split(",", -1)).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new UsageException(option.flag() + " " + raw + " is not a comma-separated list of whole numbers; "
                    + "use e.g. " + option.flag() + " " + joined(fallback));
        }
        Set<Integer> seen = new HashSet<>();
        for (int v : list) {
            if (v < min || !seen.add(v)) {
                throw new UsageException(option.flag() + " " + raw + ": " + v + (v < min ? " must be at least " + min
                        : " is repeated") + "; use e.g. " + option.flag() + " " + joined(fallback));
            }
        }
        return list;
    }

    /** @return the value given, which must be one of {@code allowed}, or the fallback */
    public int oneOf(Option option, int fallback, java.util.List<Integer> allowed) {
        if (!has(option)) {
            return fallback;
        }
        String raw = values.get(option);
        try {
            int v = Integer.parseInt(raw.trim());
            if (allowed.contains(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option.flag() + " " + raw + " is not supported; use one of " + allowed.stream()
                .map(String::valueOf).collect(Collectors.joining(", ")));
    }

    /** @return the raw text given, or null */
    public String text(Option option) {
        return values.get(option);
    }

    private static String joined(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** @return the seed given, or the fallback */
    public long seed(Option option, long fallback) {
        if (!has(option)) {
            return fallback;
        }
        try {
            return Long.parseLong(values.get(option).trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option.flag() + " " + values.get(option) + " is not a whole number; use e.g. "
                    + option.flag() + " 1");
        }
    }

    /** @return the positive finite number given, or NaN when absent */
    public double positive(Option option) {
        if (!has(option)) {
            return Double.NaN;
        }
        String raw = values.get(option);
        double value;
        try {
            value = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new UsageException(option.flag() + " " + raw + " must be a positive number, e.g. " + option.flag()
                    + " 0.01");
        }
        return value;
    }

    /**
     * @return the class list given ("5,6,7"), or the fallback
     * @throws UsageException unless it holds at least 2 distinct indices in 0..255
     */
    public int[] classes(Option option, int[] fallback) {
        if (!has(option)) {
            return fallback.clone();
        }
        String raw = values.get(option);
        int[] classes;
        try {
            classes = Arrays.stream(raw.split(",", -1)).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new UsageException(option.flag() + " " + raw + " is not a comma-separated list of class indices; "
                    + "use e.g. " + option.flag() + " 5,6,7,8,9");
        }
        Set<Integer> seen = new HashSet<>();
        for (int c : classes) {
            if (c < 0 || c > 255 || !seen.add(c)) {
                throw new UsageException(option.flag() + " " + raw + ": class " + c + (c < 0 || c > 255
                        ? " is out of range 0..255" : " is repeated") + "; use distinct indices such as 5,6,7,8,9");
            }
        }
        if (classes.length < 2) {
            throw new UsageException(option.flag() + " " + raw + " names " + classes.length + " class; a classifier "
                    + "needs at least 2, e.g. " + option.flag() + " 5,6");
        }
        return classes;
    }

    /** @return the base architecture given, or the small CNN */
    public BaseArchitecture architecture() {
        return named(Option.ARCH, BaseArchitecture.CNN, BaseArchitecture::fromCliName);
    }

    /** @return the method given, or NOLA */
    public Method method() {
        return named(Option.METHOD, Method.NOLA, Method::fromCliName);
    }

    /** @return {@code parse} of the option's value, or {@code fallback} without the option */
    private <T> T named(Option option, T fallback, java.util.function.Function<String, T> parse) {
        if (!has(option)) {
            return fallback;
        }
        try {
            return parse.apply(values.get(option));
        } catch (IllegalArgumentException e) {
            throw new UsageException(option.flag() + ": " + e.getMessage());
        }
    }
}
