package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.CoefficientQuantization;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(AdapterFiles.class);

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

    /**
     * Writes {@code adapter} to {@code path} atomically. When the file quantises coefficients that do not
     * already sit on its grid (trained in fp32, or quantisation-aware at more bits), logs a warning with
     * the largest change, the vector it is in and the fix: the file then gives other outputs than the
     * network it was saved from.
     */
    public static void write(Path path, Adapter adapter, WriteOptions options) throws IOException {
        if (options.encoding().isQuantized()) {
            quantisationWarning(path, adapter, options.encoding().bits()).ifPresent(log::warn);
        }
        AtomicFileWriter.write(path, AdapterCodec.encode(adapter, options));
    }

    /** A change above this fraction of a vector's largest value is more than float rounding of a grid point. */
    private static final double GRID_TOLERANCE = 1e-6;

    /** @return the warning that saving {@code adapter} at {@code bits} moves its coefficients, or empty */
    static java.util.Optional<String> quantisationWarning(Path path, Adapter adapter, int bits) {
        String worst = null;
        double worstRelative = 0;
        double worstChange = 0;
        int moved = 0;
        for (LayerAdapter layer : adapter.layers()) {
            for (int v = 0; v < 2; v++) {
                float[] values = v == 0 ? layer.alpha() : layer.beta();
                double magnitude = CoefficientQuantization.largestMagnitude(values);
                double change = CoefficientQuantization.largestChange(values, bits);
                if (magnitude > 0 && change > GRID_TOLERANCE * magnitude) {
                    moved++;
                    if (change / magnitude > worstRelative) {
                        worstRelative = change / magnitude;
                        worstChange = change;
                        worst = layer.name() + (v == 0 ? " alpha" : " beta");
                    }
                }
            }
        }
        if (worst == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "Saving %s at %d bits moves the coefficients"
                + " of %d of %d vectors; the largest change is %.3g in %s (%.2f%% of its largest coefficient), so"
                + " the file's outputs differ from the network's. Train with quantizationBits(%d)"
                + " (quantisation-aware) to save what was trained, or save with WriteOptions.fp32()", path, bits,
                moved, 2 * adapter.layers().size(), worstChange, worst, 100 * worstRelative, bits));
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
