package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.AtomicFileWriter;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.format.LibraryVersion;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Adapter files on disk (format: {@link AdapterCodec}), NOLA and LoRA alike: the one way adapters
 * are saved and read. Arguments follow DL4J's {@code ModelSerializer}: the model (or adapter)
 * first, then the file, then the options. Writes are atomic ({@link AtomicFileWriter}) and record
 * the library version ({@link LibraryVersion}).
 *
 * <pre>
 *   AdaptedNetwork net = AdaptedNetwork.of(model);
 *   AdapterFiles.save(net, Path.of("task-a.nola"), "task-a", List.of("head"), WriteOptions.quantized(4));
 *   AdapterFiles.load(otherCopyOfBase, Path.of("task-a.nola"), LoadOptions.STRICT);
 * </pre>
 * A network built by nola-zoo's {@code NolaTransfer} carries its settings ({@link TransferMetadata});
 * a file saved from it, here or by {@code TransferResult.saveAdapter}, stores them, so
 * {@code NolaTransfer.of(base).restore(file)} rebuilds the network from the base and the file.
 */
public final class AdapterFiles {

    private static final Logger log = LoggerFactory.getLogger(AdapterFiles.class);

    /** File name extension used by the examples. */
    public static final String EXTENSION = ".nola";

    private AdapterFiles() {
    }

    /**
     * Captures the adapter of {@code net} ({@link AdapterCapture}) and writes it to {@code path}. When
     * the network carries {@link TransferMetadata}, the file stores its settings, and the layers they
     * need saved in full (e.g. calibrated BatchNorm) are saved too, after {@code extraLayers}.
     *
     * @param extraLayers layers saved in full; every layer other than the NOLA and LoRA layers that
     *                    trains (a new head, a trainable BatchNorm) must be among them
     * @throws AdapterMismatchException when a layer that trains is not in {@code extraLayers}; nothing is written
     */
    public static Adapter save(AdaptedNetwork net, Path path, String task, Collection<String> extraLayers,
                               WriteOptions options) throws IOException {
        TrainedLayerCheck.requireSaved(net, extraLayers);
        Optional<TransferMetadata> transfer = TransferMetadata.of(net.model());
        Set<String> saved = new LinkedHashSet<>(extraLayers);
        if (transfer.isPresent()) {
            List<String> added = transfer.get().savedLayers().stream().filter(n -> !saved.contains(n)).toList();
            if (!added.isEmpty()) {
                log.info("Also saving layers {} in full with {}: the network's transfer settings need them to"
                        + " rebuild it", added, path);
            }
            saved.addAll(added);
        }
        Adapter adapter = AdapterCapture.capture(net, task, saved);
        if (transfer.isPresent()) {
            adapter = adapter.withTransferJson(transfer.get().settingsJson());
        }
        write(adapter, path, options);
        return adapter;
    }

    /**
     * Writes {@code adapter} to {@code path} atomically, recording this library's version
     * ({@link LibraryVersion#current()}) as the one that wrote it. When the file quantises
     * coefficients that do not already sit on its grid (trained in fp32, or quantisation-aware at
     * more bits), logs a warning with the largest change, the vector it is in and the fix: the file
     * then gives other outputs than the network it was saved from.
     */
    public static void write(Adapter adapter, Path path, WriteOptions options) throws IOException {
        if (options.encoding().isQuantized()) {
            quantisationWarning(path, adapter, options.encoding().bits()).ifPresent(log::warn);
        }
        Adapter stamped = adapter.withLibraryVersion(LibraryVersion.current());
        AtomicFileWriter.write(path, AdapterCodec.encode(stamped, options));
    }

    /**
     * @deprecated the arguments are now in DL4J's order, adapter first: use {@link #write(Adapter, Path, WriteOptions)}
     */
    @Deprecated
    public static void write(Path path, Adapter adapter, WriteOptions options) throws IOException {
        write(adapter, path, options);
    }

    /** A change above this fraction of a vector's largest value is more than float rounding of a grid point. */
    private static final double GRID_TOLERANCE = 1e-6;

    /** @return the warning that saving {@code adapter} at {@code bits} moves its coefficients, or empty */
    static java.util.Optional<String> quantisationWarning(Path path, Adapter adapter, int bits) {
        String worst = null;
        double worstRelative = 0;
        double worstChange = 0;
        int moved = 0;
        boolean lora = false;
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
                        lora = layer.kind() == LayerAdapterKind.LORA;
                        worst = layer.name() + (lora ? (v == 0 ? " A" : " B") : (v == 0 ? " alpha" : " beta"));
                    }
                }
            }
        }
        if (worst == null) {
            return java.util.Optional.empty();
        }
        String fix = lora ? "LoRA factors train without quantisation, so save them with WriteOptions.fp32() to keep"
                + " what was trained" : String.format(java.util.Locale.ROOT, "Train with quantizationBits(%d)"
                + " (quantisation-aware) to save what was trained, or save with WriteOptions.fp32()", bits);
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "Saving %s at %d bits moves the coefficients"
                + " of %d of %d vectors; the largest change is %.3g in %s (%.2f%% of its largest coefficient), so"
                + " the file's outputs differ from the network's. %s", path, bits,
                moved, 2 * adapter.layers().size(), worstChange, worst, 100 * worstRelative, fix));
    }

    /**
     * @return the adapter in {@code path}, fully checked ({@link AdapterCodec#decode}), NOLA or LoRA, with or
     * without transfer settings, of every format version this release reads
     * @throws AdapterFormatException if the file is not a valid adapter
     */
    public static Adapter read(Path path) throws IOException {
        Adapter adapter = AdapterCodec.decode(readBounded(path));
        log.debug("Read {}: written by nola4j {}", path,
                adapter.libraryVersion().isEmpty() ? "(version not recorded)" : adapter.libraryVersion());
        return adapter;
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
