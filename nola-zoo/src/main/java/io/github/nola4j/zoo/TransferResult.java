package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.TransferMetadata;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link NolaTransfer#build()} or {@link NolaTransfer#restore}.
 *
 * @param network        the new network: adapted layers, new head, everything else frozen
 * @param adaptedLayers  names of the layers replaced by adapter layers, in network order
 * @param skipped        layers selected by kind but not adapted, with the reason
 * @param headLayer      name of the replaced head, or null when the head was kept
 * @param summary        parameter counts and adapter size
 * @param settings       what the transfer decided, as an adapter file stores it
 * @param <M>            MultiLayerNetwork, ComputationGraph, or Model
 */
public record TransferResult<M extends Model>(M network, List<String> adaptedLayers, Map<String, String> skipped,
                                              String headLayer, TrainableSummary summary, TransferSettings settings) {

    /**
     * Records {@code settings} with {@code network} ({@link TransferMetadata}), so every adapter file
     * saved from it stores them and restores with {@link NolaTransfer#restore}.
     */
    public TransferResult {
        if (network != null && settings != null) {
            TransferMetadata.attach(network, settings.metadata());
        }
    }

    /** @return the layers kept fully trainable ({@link NolaTransfer#trainable}), in network order */
    public List<String> trainableLayers() {
        return settings.trainable();
    }

    /**
     * @return {@link #network()} as a MultiLayerNetwork
     * @throws IllegalStateException naming the actual type when it is a ComputationGraph
     */
    public MultiLayerNetwork multiLayerNetwork() {
        if (network instanceof MultiLayerNetwork net) {
            return net;
        }
        throw new IllegalStateException("The adapted network is a " + network.getClass().getSimpleName()
                + ", not a MultiLayerNetwork; use computationGraph()");
    }

    /**
     * @return {@link #network()} as a ComputationGraph
     * @throws IllegalStateException naming the actual type when it is a MultiLayerNetwork
     */
    public ComputationGraph computationGraph() {
        if (network instanceof ComputationGraph graph) {
            return graph;
        }
        throw new IllegalStateException("The adapted network is a " + network.getClass().getSimpleName()
                + ", not a ComputationGraph; use multiLayerNetwork()");
    }

    /** Saves the adapter with an empty task name; see {@link #saveAdapter(Path, String, WriteOptions)}. */
    public Adapter saveAdapter(Path file, WriteOptions options) throws IOException {
        return saveAdapter(file, "", options);
    }

    /**
     * Writes the adapter file of the current network (atomically): every NOLA layer's coefficients,
     * every parameter of the new head, of each {@link NolaTransfer#trainable} layer and of
     * calibrated BatchNorm layers, and this transfer's settings, so that
     * {@code NolaTransfer.of(base).restore(file)} rebuilds the network from the base and the file.
     *
     * @param task    free-form task name recorded in the file
     * @param options coefficient encoding (e.g. {@code WriteOptions.quantized(4)}) and compression
     * LoRA layers store their trained A and B. The same as
     * {@code AdapterFiles.save(AdaptedNetwork.of(network()), file, task, <the layers above>, options)}.
     *
     * @return the adapter written
     */
    public Adapter saveAdapter(Path file, String task, WriteOptions options) throws IOException {
        return AdapterFiles.save(AdaptedNetwork.of(network), file, task, settings.savedLayers(), options);
    }
}
