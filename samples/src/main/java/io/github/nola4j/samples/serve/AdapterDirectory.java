package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The adapter files ({@code *.nola}) of one directory, served on one base: the adapted network is rebuilt from
 * the base and the first file that restores ({@link NolaTransfer#restore}), then every file is made resident
 * under its name without the extension. A file that is corrupt, for another base, architecture or generator is
 * skipped with its reason logged and listed in {@link #skipped()}. Nothing outside the directory is read.
 */
public final class AdapterDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterDirectory.class);

    private final Path dir;
    private final MixedAdapterNetwork served;
    private final Model network;
    private final Map<String, String> skipped = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    private AdapterDirectory(Path dir, MixedAdapterNetwork served, Model network) {
        this.dir = dir;
        this.served = served;
        this.network = network;
    }

    /**
     * @param factorBudgetBytes the factor cache's budget
     * @throws IllegalArgumentException if the directory has no adapter file that restores on {@code base}
     */
    public static AdapterDirectory load(Model base, Path dir, long factorBudgetBytes) throws IOException {
        List<Path> files = files(dir);
        Map<Path, String> failures = new LinkedHashMap<>();
        TransferResult<Model> restored = null;
        for (Path f : files) {
            try {
                restored = NolaTransfer.of(base).restore(f);
                break;
            } catch (IOException | RuntimeException e) {
                failures.put(f, e.getMessage());
            }
        }
        if (restored == null) {
            throw new IllegalArgumentException("no adapter file in " + dir + " restores on this base (" + files.size()
                    + " *.nola files; reasons: " + failures + "); make some with make-adapters or finetune --save");
        }
        MixedAdapterNetwork served = MixedAdapterNetwork.of(restored.network(), LoadOptions.STRICT, factorBudgetBytes);
        AdapterDirectory d = new AdapterDirectory(dir, served, restored.network());
        for (Path f : files) {
            d.add(f);
        }
        return d;
    }

    /** Makes one file of the directory resident; a bad file is skipped, logged and listed. @return true if added */
    public boolean add(Path file) {
        Path inside = dir.resolve(file.getFileName());
        try {
            return register(inside, AdapterFiles.read(inside));
        } catch (IOException | RuntimeException e) {
            return skip(inside, e);
        }
    }

    /**
     * The second half of {@link #add}, for callers that time the two: makes {@code adapter}, read from {@code file}
     * of this directory, resident under the file's name; a bad one is skipped, logged and listed.
     *
     * @return true if added
     */
    boolean register(Path file, Adapter adapter) {
        Path inside = dir.resolve(file.getFileName());
        try {
            served.adapters().add(nameOf(inside), adapter);
            skipped.remove(nameOf(inside));
            return true;
        } catch (RuntimeException e) {
            return skip(inside, e);
        }
    }

    private boolean skip(Path file, Exception e) {
        LOG.warn("skipping adapter file {}: {}", file, e.getMessage());
        skipped.put(nameOf(file), e.getMessage());
        return false;
    }

    /** @return the *.nola files of {@code dir}, sorted by name */
    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("adapter directory " + dir + " does not exist or is not a directory;"
                    + " pass --adapters DIR with the *.nola files to serve");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(AdapterFiles.EXTENSION))
                    .filter(Files::isRegularFile).sorted().toList());
            return out;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - AdapterFiles.EXTENSION.length());
    }

    /** @return the directory served */
    public Path directory() {
        return dir;
    }

    /** @return the network served (its parameters are shared with every replica: do not change it) */
    public Model network() {
        return network;
    }

    /** @return the mixed-adapter network */
    public MixedAdapterNetwork served() {
        return served;
    }

    /** @return name → reason of every file skipped */
    public Map<String, String> skipped() {
        synchronized (skipped) {
            return Map.copyOf(skipped);
        }
    }
}
