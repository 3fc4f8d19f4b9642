package io.github.nola4j.layers.adapter;

import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Adapter files on disk (format: {@link AdapterCodec}). Writes are atomic ({@link AtomicFileWriter}).
 *
 * <pre>
 *   AdaptedNetwork net = AdaptedNetwork.of(model);
 *   AdapterFiles.save(net, Path.of("task-a.nola"), "task-a", List.of("head"), WriteOptions.quantized(4));
 *   AdapterFiles.load(otherCopyOfBase, Path.of("task-a.nola"), LoadOptions.STRICT);
 * </pre>
 */
public final class AdapterFiles {

    /** File name extension used by the examples. */
    public static final String EXTENSION = ".nola";

    private AdapterFiles() {
    }

    /**
     * Captures the adapter of {@code net} ({@link AdapterCapture}) and writes it to {@code path}.
     *
     * @param extraLayers layers saved in full; every layer other than the NOLA layers that trains
     *                    (a new head, a trainable BatchNorm) must be among them
     * @throws AdapterMismatchException when a layer that trains is not in {@code extraLayers}; nothing is written
     */
    public static Adapter save(AdaptedNetwork net, Path path, String task, java.util.Collection<String> extraLayers,
                               WriteOptions options) throws IOException {
        TrainedLayerCheck.requireSaved(net, extraLayers);
        Adapter adapter = AdapterCapture.capture(net, task, extraLayers);
        write(path, adapter, options);
        return adapter;
    }

    /** Writes {@code adapter} to {@code path} atomically. */
    public static void write(Path path, Adapter adapter, WriteOptions options) throws IOException {
        AtomicFileWriter.write(path, AdapterCodec.encode(adapter, options));
    }

    /**
     * @return the adapter in {@code path}, fully checked ({@link AdapterCodec#decode})
     * @throws AdapterFormatException if the file is not a valid adapter
     */
    public static Adapter read(Path path) throws IOException {
        return AdapterCodec.decode(readBounded(path));
    }

    /**
     * Reads {@code path} and applies it to {@code net}; on any exception {@code net} is unchanged.
     *
     * @return the adapter applied
     */
    public static Adapter load(AdaptedNetwork net, Path path, LoadOptions options) throws IOException {
        Adapter adapter = read(path);
        AdapterApplier.apply(net, adapter, options);
        return adapter;
    }

    /** @return the configuration JSON of the adapter file {@code path}, pretty-printed */
    public static String readConfigJson(Path path) throws IOException {
        byte[] json = AdapterCodec.configJson(readBounded(path));
        ObjectMapper mapper = new ObjectMapper();
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(json));
    }

    /**
     * Writes the configuration JSON of the adapter file {@code adapterPath} beside it as
     * {@code adapter_config.json} (atomically), for people and tools that do not read the format.
     *
     * @return the path written
     */
    public static Path writeConfigBeside(Path adapterPath) throws IOException {
        Path abs = adapterPath.toAbsolutePath();
        Path json = abs.resolveSibling("adapter_config.json");
        AtomicFileWriter.write(json, readConfigJson(abs).getBytes(StandardCharsets.UTF_8));
        return json;
    }

    private static byte[] readBounded(Path path) throws IOException {
        long size = Files.size(path);
        if (size > AdapterCodec.MAX_FILE_BYTES) {
            throw new AdapterFormatException(path + " has " + size + " bytes, more than the "
                    + AdapterCodec.MAX_FILE_BYTES + " an adapter file may have; it is not an adapter");
        }
        return Files.readAllBytes(path);
    }
}
