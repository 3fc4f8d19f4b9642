package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterApplier;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import org.deeplearning4j.nn.api.Layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The adapters resident for one base, by name. Each is validated against the base when added
 * ({@link AdapterApplier#check}, every check of {@link AdapterApplier#plan}: generator, layer names and shapes,
 * base fingerprint (computed once per base), finite values;
 * an {@link io.github.nola4j.layers.adapter.format.AdapterException} subtype otherwise) and kept as
 * a {@link ResidentAdapter}: coefficients and extra tensors only, decoded once (a 4-bit file is
 * dequantised here, never per request), in one flat native buffer laid out by a {@link ResidentLayout} that
 * every adapter of the same form shares.
 *
 * <p>Thread-safe: {@link #add}, {@link #remove} and {@link #get} may run concurrently with each other
 * and with requests. Adding validates and decodes in the adding thread, outside any lock shared with requests, with
 * one native allocation (the flat buffer), and then publishes the adapter with one map update, so a request never
 * waits on an addition. Its factors, all layers at once ({@link AdapterFactors}: one GEMM per group of layers with
 * equal basis rows), are built afterwards by the {@link FactorCache}'s builder thread when they fit its free budget,
 * or by its first request if that comes first or they do not. A request resolves its adapters once
 * when it starts, so a removal or a replacement under the same name affects only requests that start afterwards.
 */
public final class ResidentAdapters {

    private final AdaptedNetwork base;
    private final LoadOptions options;
    private final FactorCache factors;
    private final Map<String, ResidentAdapter> byName = new ConcurrentHashMap<>();
    private final Map<String, Long> order = new ConcurrentHashMap<>();
    /** Per adapter layer, in network order: the ids of its {first, second} trainable tensor. */
    private final List<String[]> coefficientIds = new ArrayList<>();
    /** One instance per form of adapter (adapters of one base with the same extra tensors share it). */
    private final Map<ResidentLayout, ResidentLayout> layouts = new ConcurrentHashMap<>();
    private long added;

    /** @param factorBudgetBytes the most bytes of factors its {@link FactorCache} keeps */
    ResidentAdapters(AdaptedNetwork base, LoadOptions options, long factorBudgetBytes) {
        this.base = base;
        this.options = options;
        base.requireLowRankLayersOnly("Serving adapters side by side");
        base.fingerprint();
        AdapterFactors build = new AdapterFactors(base.adapterLayers());
        this.factors = new FactorCache(factorBudgetBytes, build::build, build.bytes());
        for (Layer layer : base.adapterLayers()) {
            String prefix = AdaptedNetwork.nameOf(layer) + "/";
            LayerAdapterKind kind = LayerAdapterKind.of(layer.conf().getLayer());
            coefficientIds.add(new String[] {prefix + kind.firstKey(), prefix + kind.secondKey()});
        }
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
        List<AdapterApplier.CheckedTensor> tensors = AdapterApplier.check(base, adapter, options);
        ResidentLayout layout = layouts.computeIfAbsent(new ResidentLayout(tensors, coefficientIds,
                adapter.extraTensors()), l -> l);
        ResidentAdapter resident = new ResidentAdapter(name, adapter.task(), layout, layout.pack(tensors));
        ResidentAdapter old;
        synchronized (order) {   // requests never take this lock: they read byName only
            old = byName.put(name, resident);
            order.putIfAbsent(name, added++);
        }
        if (old != null) {
            factors.evict(old);
        }
        factors.buildLater(resident, () -> byName.get(name) == resident);
        return resident;
    }

    /** @return the cache of the adapters' factors */
    FactorCache factors() {
        return factors;
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
