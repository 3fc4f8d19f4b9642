package io.github.nola4j.layers.adapter.format;

import java.util.List;

/**
 * A NOLA (or LoRA) task adapter in memory: what an adapter file holds, with quantised coefficients already
 * dequantised. Made by {@link io.github.nola4j.layers.adapter.AdapterCapture AdapterCapture}, read by {@link io.github.nola4j.layers.adapter.AdapterFiles AdapterFiles}, applied by
 * {@link io.github.nola4j.layers.adapter.AdapterApplier AdapterApplier} or held by an {@link io.github.nola4j.layers.adapter.AdapterBank AdapterBank}.
 *
 * @param task             free-form task name (may be empty)
 * @param generatorId      {@link io.github.nola4j.layers.basis.BasisGenerator#ID} the bases were made with
 * @param generatorVersion {@link io.github.nola4j.layers.basis.BasisGenerator#VERSION} they were made with
 * @param baseFingerprint  {@link io.github.nola4j.layers.adapter.BaseFingerprint BaseFingerprint} of the base the adapter was trained on (64 hex digits)
 * @param layers           one entry per NOLA layer of the network, in network order
 * @param extraTensors     parameters saved in full (new heads, BatchNorm), in network order
 * @param transferJson     a JSON object with the settings of the tool that made the network (nola-zoo's
 *                         NolaTransfer), stored as "transfer" in the configuration so the network can
 *                         be rebuilt from the base and the file; "" when there are none
 * @param libraryVersion   the nola4j release that wrote the file ({@link LibraryVersion}); "" in memory
 *                         until {@link io.github.nola4j.layers.adapter.AdapterFiles#write AdapterFiles#write} stamps it, and in files written before
 *                         releases were recorded
 */
public record Adapter(String task, String generatorId, int generatorVersion, String baseFingerprint,
                      List<LayerAdapter> layers, List<ExtraTensor> extraTensors, String transferJson,
                      String libraryVersion) {

    public Adapter {
        if (task == null || generatorId == null || baseFingerprint == null || layers == null || extraTensors == null
                || transferJson == null || libraryVersion == null) {
            throw new IllegalArgumentException("adapter: task, generatorId, baseFingerprint, layers, extraTensors,"
                    + " transferJson and libraryVersion must not be null (use \"\" and List.of())");
        }
        layers = List.copyOf(layers);
        extraTensors = List.copyOf(extraTensors);
    }

    /** An adapter whose writing release is not recorded (yet). */
    public Adapter(String task, String generatorId, int generatorVersion, String baseFingerprint,
                   List<LayerAdapter> layers, List<ExtraTensor> extraTensors, String transferJson) {
        this(task, generatorId, generatorVersion, baseFingerprint, layers, extraTensors, transferJson, "");
    }

    /** An adapter without transfer settings. */
    public Adapter(String task, String generatorId, int generatorVersion, String baseFingerprint,
                   List<LayerAdapter> layers, List<ExtraTensor> extraTensors) {
        this(task, generatorId, generatorVersion, baseFingerprint, layers, extraTensors, "");
    }

    /** @return this adapter with these transfer settings (a JSON object, or "" for none) */
    public Adapter withTransferJson(String json) {
        return new Adapter(task, generatorId, generatorVersion, baseFingerprint, layers, extraTensors, json,
                libraryVersion);
    }

    /** @return this adapter recorded as written by nola4j {@code version} */
    public Adapter withLibraryVersion(String version) {
        return new Adapter(task, generatorId, generatorVersion, baseFingerprint, layers, extraTensors, transferJson,
                version);
    }

    /** @return the extra tensors replaced by {@code extras}, every other field kept */
    public Adapter withExtraTensors(List<ExtraTensor> extras) {
        return new Adapter(task, generatorId, generatorVersion, baseFingerprint, layers, extras, transferJson,
                libraryVersion);
    }

    /** @return Σ (k + l) over the layers: the number of trained coefficients */
    public long numCoefficients() {
        long n = 0;
        for (LayerAdapter l : layers) {
            n += (long) l.numBasesA() + l.numBasesB();
        }
        return n;
    }
}
