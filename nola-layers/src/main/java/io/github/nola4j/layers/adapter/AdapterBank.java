package io.github.nola4j.layers.adapter;


import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several task adapters held for one base network, switched in place.
 *
 * <p>Every adapter is validated against the network when it is added ({@link AdapterApplier}),
 * so {@link #activate} only copies: k + l coefficients per NOLA layer (the layers' bases are
 * fixed by their basis seeds, which every added adapter must share), A and B per LoRA layer
 * ({@link io.github.nola4j.layers.adapter.format.LayerAdapterKind LayerAdapterKind}), plus the extra tensors.
 * {@link #useBase()} returns to the base: β = 0 in every NOLA layer, B = 0 in every LoRA layer
 * (the base function exactly),
 * α and the extra layers (e.g. the original head) as they were when the bank was made.
 * {@link #merge()} folds the active adapter into W for inference ({@link InPlaceMerger});
 * activate and useBase unmerge first, restoring the pristine W bit for bit.
 *
 * <pre>
 *   AdapterBank bank = new AdapterBank(AdaptedNetwork.of(net), List.of("head"), LoadOptions.STRICT);
 *   bank.add("shoes", AdapterFiles.read(Path.of("shoes.nola")));
 *   bank.add("bags", AdapterFiles.read(Path.of("bags.nola")));
 *   bank.activate("shoes"); bank.merge();   ... net.output(x) ...
 *   bank.activate("bags");                  ... (unmerged, coefficient copy)
 *   bank.useBase();                         ... the base again
 * </pre>
 * Not thread-safe; do not run the network while switching.
 */
public final class AdapterBank {

    private final AdaptedNetwork net;
    private final Set<String> extraLayers;
    private final LoadOptions options;
    private final Adapter baseline;
    private final AdapterPlan baselinePlan;
    private final InPlaceMerger merger;
    private final Map<String, AdapterPlan> plans = new LinkedHashMap<>();
    private String active;

    /**
     * Records the current state of {@code net} as the base: it must not be merged, and should have
     * the original head in the extra layers.
     *
     * @param extraLayers layers whose parameters adapters may replace in full (heads, BatchNorm)
     * @param options     checks applied to every added adapter
     */
    public AdapterBank(AdaptedNetwork net, Collection<String> extraLayers, LoadOptions options) {
        this.net = net;
        this.extraLayers = new LinkedHashSet<>(extraLayers);
        this.options = options;
        Adapter current = AdapterCapture.capture(net, "base", extraLayers);
        List<LayerAdapter> zeroBeta = new ArrayList<>();
        for (LayerAdapter la : current.layers()) {
            zeroBeta.add(la.withCoefficients(la.alpha(), new float[la.numBasesB()]));
        }
        this.baseline = new Adapter("base", current.generatorId(), current.generatorVersion(),
                current.baseFingerprint(), zeroBeta, current.extraTensors());
        this.baselinePlan = AdapterApplier.plan(net, baseline, LoadOptions.STRICT);
        this.merger = new InPlaceMerger(net);
    }

    /**
     * Validates {@code adapter} against the base and keeps it under {@code name} (replacing one of
     * that name). Extra tensors it lacks are taken from the base, so activating it never leaves
     * another adapter's head behind.
     *
     * @throws io.github.nola4j.layers.adapter.format.AdapterException if it does not fit the base; the bank and network are then unchanged
     */
    public void add(String name, Adapter adapter) {
        for (ExtraTensor t : adapter.extraTensors()) {
            if (!extraLayers.contains(t.layer())) {
                throw new AdapterMismatchException("adapter \"" + name + "\" replaces " + t.id() + ", but layer \""
                        + t.layer() + "\" is not one of the bank's extra layers " + extraLayers
                        + "; create the bank with that layer among its extra layers");
            }
        }
        Set<String> own = new HashSet<>();
        List<ExtraTensor> extras = new ArrayList<>(adapter.extraTensors());
        adapter.extraTensors().forEach(t -> own.add(t.id()));
        for (ExtraTensor t : baseline.extraTensors()) {
            if (!own.contains(t.id())) {
                extras.add(t);
            }
        }
        Adapter full = new Adapter(adapter.task(), adapter.generatorId(), adapter.generatorVersion(),
                adapter.baseFingerprint(), adapter.layers(), extras);
        plans.put(name, AdapterApplier.plan(net, full, options));
    }

    /** Reads the adapter file {@code path} and {@link #add}s it. */
    public void add(String name, Path path) throws IOException {
        add(name, AdapterFiles.read(path));
    }

    /** Forgets an adapter; returns to the base first ({@link #useBase}) if it is active. */
    public void remove(String name) {
        if (name.equals(active)) {
            useBase();
        }
        plans.remove(name);
    }

    /**
     * Copies adapter {@code name} into the network (unmerging first if merged).
     *
     * @throws IllegalArgumentException naming the known adapters if there is none of that name
     */
    public void activate(String name) {
        AdapterPlan plan = plans.get(name);
        if (plan == null) {
            throw new IllegalArgumentException("no adapter \"" + name + "\" in the bank; it holds " + plans.keySet()
                    + ". Add it with add(name, adapter) first");
        }
        unmergeIfMerged();
        plan.apply();
        active = name;
    }

    /** Returns the network to the base: β = 0, α and extra layers as when the bank was made. */
    public void useBase() {
        unmergeIfMerged();
        baselinePlan.apply();
        active = null;
    }

    /** @deprecated clashes with {@code INDArray.detach}: use {@link #useBase()} */
    @Deprecated
    public void detach() {
        useBase();
    }

    /** Folds the active adapter into W ({@link InPlaceMerger#merge()}); β becomes 0. */
    public void merge() {
        merger.merge();
    }

    /** Restores the pristine W and β ({@link InPlaceMerger#unmerge()}). */
    public void unmerge() {
        merger.unmerge();
    }

    /** @return true while an adapter is merged into W */
    public boolean isMerged() {
        return merger.isMerged();
    }

    /** @return the active adapter's name, or null on the base ({@link #useBase}) */
    public String active() {
        return active;
    }

    /** @return the names of the adapters held, in the order added */
    public List<String> names() {
        return List.copyOf(plans.keySet());
    }

    /** @return the base fingerprint recorded when the bank was made */
    public String baseFingerprint() {
        return baseline.baseFingerprint();
    }

    /** @return the adapter {@code name} as it will be copied in (with base heads filled in) */
    public Adapter adapter(String name) {
        AdapterPlan plan = plans.get(name);
        return plan == null ? null : plan.adapter();
    }

    private void unmergeIfMerged() {
        if (merger.isMerged()) {
            merger.unmerge();
        }
    }
}
