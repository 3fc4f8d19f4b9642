package io.github.nola4j.samples.train;

import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.merge.NolaMerge;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fine-tuned network as files: the NOLA adapter (coefficients of every NOLA layer plus the new
 * head in full and the transfer's settings, {@link AdapterFiles}) and the merged plain network ({@link NolaMerge},
 * {@link ModelSerializer}), which restores without nola4j.
 */
public final class SavedAdapters {

    /** Full precision: coefficients stored as 32-bit floats. */
    public static final int FP32_BITS = 32;
    /** Coefficient widths that {@code --bits} accepts. */
    public static final List<Integer> BITS = List.of(32, 8, 4, 3, 2);

    private SavedAdapters() {
    }

    /**
     * Writes the adapter of a NOLA network: α and β at {@code bits} (32: float), the head in full.
     *
     * @return the file size in bytes
     */
    public static long save(TransferResult<MultiLayerNetwork> transfer, Path file, String task, int bits) {
        WriteOptions options = bits == FP32_BITS ? WriteOptions.fp32() : WriteOptions.quantized(bits);
        try {
            createParent(file);
            transfer.saveAdapter(file, task, options);
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the adapter " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return the network rebuilt from {@code base} and the adapter in {@code file} alone
     * ({@link NolaTransfer#restore}); with quantisation-aware training the file's b-bit values
     * are already on the b-bit grid, so the forward pass uses them unchanged
     */
    public static MultiLayerNetwork load(MultiLayerNetwork base, Path file) {
        try {
            return NolaTransfer.of(base).restore(file).network();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the adapter " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code net} with every NOLA and LoRA layer merged into plain DL4J layers.
     *
     * @return the file size in bytes
     */
    public static long export(MultiLayerNetwork net, Path file) {
        try {
            createParent(file);
            ModelSerializer.writeModel(NolaMerge.mergeAndUnload(net), file.toFile(), false);
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the merged network " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
