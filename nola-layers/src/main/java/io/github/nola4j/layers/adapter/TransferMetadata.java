package io.github.nola4j.layers.adapter;

import org.deeplearning4j.nn.api.Model;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the tool that built a network (nola-zoo's {@code NolaTransfer}) recorded about it, so that
 * every adapter file saved from that network, by {@link AdapterFiles#save} as by the tool's own
 * save, can rebuild it from the base and the file alone: the settings JSON (stored as "transfer"
 * in the configuration, {@link io.github.nola4j.layers.adapter.format.Adapter#transferJson() Adapter#transferJson()}) and the layers that must be saved in full
 * with the adapter (new head, trainable and calibrated BatchNorm layers).
 *
 * <p>The record lives beside the network object in this JVM (held weakly, so it never keeps a
 * network alive); a network read back with {@code ModelSerializer} or cloned has none, and its
 * adapter files then carry no settings unless the tool records them again.
 *
 * @param settingsJson the settings, a JSON object
 * @param savedLayers  layers whose parameters every adapter of the network holds in full, in network order
 */
public record TransferMetadata(String settingsJson, List<String> savedLayers) {

    /** By network identity (DL4J networks' equals compares parameters), held weakly. */
    private static final List<Entry> ENTRIES = new ArrayList<>();

    private record Entry(WeakReference<Model> network, TransferMetadata metadata) {
    }

    public TransferMetadata {
        if (settingsJson == null || settingsJson.isEmpty() || savedLayers == null) {
            throw new IllegalArgumentException("transfer metadata: settingsJson must be a JSON object and savedLayers"
                    + " a list (List.of() for none), got " + settingsJson + " and " + savedLayers);
        }
        savedLayers = List.copyOf(savedLayers);
    }

    /** Records {@code metadata} for {@code network} (the same object), replacing any earlier record. */
    public static void attach(Model network, TransferMetadata metadata) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(metadata, "metadata");
        synchronized (ENTRIES) {
            ENTRIES.removeIf(e -> e.network().get() == null || e.network().get() == network);
            ENTRIES.add(new Entry(new WeakReference<>(network), metadata));
        }
    }

    /** @return what was recorded for {@code network} (this object, not an equal copy), if anything */
    public static Optional<TransferMetadata> of(Model network) {
        synchronized (ENTRIES) {
            ENTRIES.removeIf(e -> e.network().get() == null);
            return ENTRIES.stream().filter(e -> e.network().get() == network).map(Entry::metadata).findFirst();
        }
    }
}
