package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Adapter files of graphs adapted by {@link NolaGraphTransfer}, in the layers' format ({@link AdapterFiles}):
 * one entry per adapted weight keyed by W's variable name ({@link GraphAdapterCapture}), NOLA seed and α/β or
 * LoRA's A/B, fp32 or b-bit ({@link WriteOptions}), the fingerprint of the frozen W and the graph transfer's
 * settings ({@link GraphTransferSettings}) as the configuration's "transfer" object.
 * <pre>
 *   GraphAdapterFiles.save(adapted, Path.of("task-a.nola"), "task-a", WriteOptions.quantized(4));
 *   GraphAdapterFiles.load(sameSelectionOnSameBase, Path.of("task-a.nola"), LoadOptions.STRICT);
 *   GraphTransferResult again = NolaGraphTransfer.of(baseGraph).restore(Path.of("task-a.nola"));
 * </pre>
 * Loading validates everything before it assigns a variable, so a refused file leaves the graph untouched.
 */
public final class GraphAdapterFiles {

    private static final Logger log = LoggerFactory.getLogger(GraphAdapterFiles.class);

    private GraphAdapterFiles() {
    }

    /**
     * Captures the current adapter of {@code graph} and writes it to {@code path} atomically.
     *
     * @return the adapter written (before quantisation)
     */
    public static Adapter save(GraphTransferResult graph, Path path, String task, WriteOptions options)
            throws IOException {
        Adapter adapter = GraphAdapterCapture.capture(graph, task);
        AdapterFiles.write(adapter, path, options);
        log.info("Saved the adapter of {} graph weights to {} ({} coefficients)", adapter.layers().size(), path,
                adapter.numCoefficients());
        return adapter;
    }

    /** @return the current adapter of {@code graph}, as {@link #save} would write it */
    public static Adapter capture(GraphTransferResult graph, String task) {
        return GraphAdapterCapture.capture(graph, task);
    }

    /**
     * @return the adapter in {@code path}, fully checked as a file ({@link AdapterFiles#read})
     * @throws AdapterFormatException if the file is not a valid adapter (truncated, corrupt, ...)
     */
    public static Adapter read(Path path) throws IOException {
        return AdapterFiles.read(path);
    }

    /**
     * Reads {@code path} and applies it to {@code graph} ({@link GraphAdapterApplier}); on any exception the
     * graph is unchanged.
     *
     * @return the adapter applied
     * @throws AdapterFormatException   if the file is not a valid adapter
     * @throws AdapterMismatchException if it is for another base, selection, basis generator, or a DL4J network
     */
    public static Adapter load(GraphTransferResult graph, Path path, LoadOptions options) throws IOException {
        Adapter adapter = read(path);
        GraphAdapterApplier.apply(graph, adapter, options);
        return adapter;
    }
}
