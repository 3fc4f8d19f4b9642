package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterApplier;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The adapters resident for one base, by name. Each is validated against the base when added
 * ({@link AdapterApplier#check}, every check of {@link AdapterApplier#plan}: generator, layer names and shapes,
 * base fingerprint (computed once per base), finite values;
 * an {@link io.github.nola4j.layers.adapter.format.AdapterException} subtype otherwise) and kept as
 * a {@link ResidentAdapter}: coefficients and extra tensors only, decoded once (a 4-bit file is
 * dequantised here, never per request).
 *
 * <p>Thread-safe: {@link #add}, {@link #remove} and {@link #get} may run concurrently with each other
 * and with requests. Adding validates and decodes outside any lock shared with requests; a request
 * resolves its adapters once when it starts, so a removal or a replacement under the same name
 * affects only requests that start afterwards.
 */
public final class ResidentAdapters {

    private final AdaptedNetwork base;
    private final LoadOptions options;
    private final FactorCache factors;
    private final Map<String, ResidentAdapter> byName = new ConcurrentHashMap<>();
    private final Map<String, Long> order = new ConcurrentHashMap<>();
    private long added;

    ResidentAdapters(AdaptedNetwork base, LoadOptions options, FactorCache factors) {
        this.base = base;
        this.options = options;
        this.factors = factors;
        base.requireLowRankLayersOnly("Serving adapters side by side");
        base.fingerprint();
    }

    /**
     * Validates {@code adapter} against the base and makes it resident under {@code name}, replacing
     * one of that name.
     *
     * @return the resident form
     * @throws io.github.nola4j.layers.adapter.format.AdapterException if it does not fit the base; nothing
     *                                                                 changes then
     * @throws IllegalArgumentException if {@code name} is blank or {@link MixedAdapterNetwork#BASE}
     */
    public ResidentAdapter add(String name, Adapter adapter) {
        if (name == null || name.isBlank() || MixedAdapterNetwork.BASE.equals(name)) {
            throw new IllegalArgumentException("adapter name \"" + name + "\" is not allowed: use a non-blank name"
                    + " other than \"" + MixedAdapterNetwork.BASE + "\", which means the base");
        }
        Map<String, INDArray> values = packed(AdapterApplier.check(base, adapter, options));
        List<INDArray[]> coefficients = new ArrayList<>();
        for (Layer layer : base.adapterLayers()) {
            String layerName = AdaptedNetwork.nameOf(layer);
            LayerAdapterKind kind = LayerAdapterKind.of(layer.conf().getLayer());
            coefficients.add(new INDArray[] {values.get(layerName + "/" + kind.firstKey()),
                    values.get(layerName + "/" + kind.secondKey())});
        }
        Map<String, Map<String, INDArray>> extras = new LinkedHashMap<>();
        for (ExtraTensor t : adapter.extraTensors()) {
            extras.computeIfAbsent(t.layer(), k -> new LinkedHashMap<>()).put(t.param(), values.get(t.id()));
        }
        extras.replaceAll((k, v) -> Map.copyOf(v));
        ResidentAdapter resident = new ResidentAdapter(name, adapter.task(), List.copyOf(coefficients),
                Map.copyOf(extras));
        ResidentAdapter old;
        synchronized (order) {   // requests never take this lock: they read byName only
            old = byName.put(name, resident);
            order.putIfAbsent(name, added++);
        }
        if (old != null) {
            factors.evict(old);
        }
        return resident;
    }

    /**
     * @return id → value in its target's shape and data type, every value a view of one array made by one copy
     *         from the Java side (one native buffer per adapter, not one per tensor); one array per value when the
     *         targets' data types differ
     */
    private static Map<String, INDArray> packed(List<AdapterApplier.CheckedTensor> tensors) {
        Map<String, INDArray> values = new HashMap<>();
        DataType dataType = tensors.get(0).target().dataType();
        int total = 0;
        for (AdapterApplier.CheckedTensor t : tensors) {
            total = Math.addExact(total, t.values().length);
            if (t.target().dataType() != dataType) {
                dataType = null;
            }
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (dataType == null) {
                for (AdapterApplier.CheckedTensor t : tensors) {
                    values.put(t.id(), Nd4j.createFromArray(t.values()).reshape('c', t.target().shape())
                            .castTo(t.target().dataType()));
                }
                return values;
            }
            float[] all = new float[total];
            int at = 0;
            for (AdapterApplier.CheckedTensor t : tensors) {
                System.arraycopy(t.values(), 0, all, at, t.values().length);
                at += t.values().length;
            }
            INDArray flat = Nd4j.createFromArray(all).castTo(dataType);
            at = 0;
            for (AdapterApplier.CheckedTensor t : tensors) {
                int n = t.values().length;
                values.put(t.id(), flat.get(NDArrayIndex.interval(at, at + n)).reshape('c', t.target().shape()));
                at += n;
            }
        }
        return values;
    }

    /** Reads the adapter file {@code path} ({@link AdapterFiles#read}) and {@link #add}s it. */
    public ResidentAdapter add(String name, Path path) throws IOException {
        return add(name, AdapterFiles.read(path));
    }

    /**
     * Forgets an adapter and drops its cached factors; requests already running with it finish with it.
     *
     * @return true if it was resident
     */
    public boolean remove(String name) {
        ResidentAdapter old;
        synchronized (order) {
            old = byName.remove(name);
            order.remove(name);
        }
        if (old != null) {
            factors.evict(old);
        }
        return old != null;
    }

    /**
     * @return the adapter resident under {@code name}
     * @throws UnknownAdapterException listing the resident names when there is none
     */
    public ResidentAdapter get(String name) {
        ResidentAdapter a = byName.get(name);
        if (a == null) {
            throw new UnknownAdapterException(name, names());
        }
        return a;
    }

    /** @return true when an adapter is resident under {@code name} */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** @return the resident names, in the order first added */
    public List<String> names() {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(order.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : entries) {
            out.add(e.getKey());
        }
        return out;
    }

    /** @return the number of resident adapters */
    public int size() {
        return byName.size();
    }

    /** @return the bytes of every resident adapter's coefficients and extra tensors */
    public long bytes() {
        long n = 0;
        for (ResidentAdapter a : byName.values()) {
            n += a.bytes();
        }
        return n;
    }
}
