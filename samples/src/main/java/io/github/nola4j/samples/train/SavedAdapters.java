package io.github.nola4j.samples.train;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.WriteOptions;
import io.github.nola4j.layers.merge.NolaMerge;
import io.github.nola4j.samples.cnn.AdaptedCnn;
import io.github.nola4j.samples.cnn.BaseCnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fine-tuned network as files: the NOLA adapter (coefficients of every NOLA layer plus the new
 * head in full, {@link AdapterFiles}) and the merged plain network ({@link NolaMerge},
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
    public static long save(MultiLayerNetwork net, Path file, String task, int bits) {
        WriteOptions options = bits == FP32_BITS ? WriteOptions.fp32() : WriteOptions.quantized(bits);
        try {
            createParent(file);
            AdapterFiles.save(AdaptedNetwork.of(net), file, task, List.of(BaseCnn.HEAD), options);
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the adapter " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return a fresh NOLA network made from {@code base} and {@code config} (without
     * quantisation-aware training; the file's values are what they are) with the adapter in
     * {@code file} loaded into it
     */
    public static MultiLayerNetwork load(MultiLayerNetwork base, FinetuneConfig config, Path file) {
        MultiLayerNetwork net = AdaptedCnn.create(base, config.method(), config.adapter().withQuantizationBits(0),
                config.classes().length, config.learningRate(), config.seed());
        try {
            AdapterFiles.load(AdaptedNetwork.of(net), file, LoadOptions.STRICT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the adapter " + file + ": " + e.getMessage(), e);
        }
        return net;
    }

    /**
     * Writes {@code net} with every NOLA and LoRA layer merged into plain DL4J layers.
     *
     * @return the file size in bytes
     */
    public static long export(MultiLayerNetwork net, Path file) {
        try {
            createParent(file);
            ModelSerializer.writeModel(NolaMerge.merge(net), file.toFile(), false);
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
