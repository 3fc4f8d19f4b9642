package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.AdapterPlan;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Several adapters for one graph adapted by {@link NolaGraphTransfer}, switched in place, as the layers'
 * {@code AdapterBank}: each is validated once when added ({@link GraphAdapterApplier#plan}), so
 * {@link #activate} only copies k + l numbers per weight (LoRA: A and B) and cannot fail half-way.
 * <pre>
 *   GraphAdapterBank bank = new GraphAdapterBank(graph, LoadOptions.STRICT);
 *   bank.add("a", Path.of("a.nola"));  bank.add("b", Path.of("b.nola"));
 *   bank.activate("a");  ...  bank.activate("b");  bank.merge();  ...  bank.unmerge();
 * </pre>
 * Merging folds the active adapter into W ({@link GraphMerger}); activating or detaching while merged is refused.
 */
public final class GraphAdapterBank {

    private static final Logger log = LoggerFactory.getLogger(GraphAdapterBank.class);

    private final GraphTransferResult graph;
    private final LoadOptions options;
    private final Map<String, AdapterPlan> plans = new LinkedHashMap<>();
    private final GraphMerger merger;
    private String active;

    /** A bank for {@code graph}; adapters are checked with {@code options} when added. */
    public GraphAdapterBank(GraphTransferResult graph, LoadOptions options) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.options = Objects.requireNonNull(options, "options: use LoadOptions.STRICT");
        this.merger = new GraphMerger(graph);
    }

    /**
     * Validates {@code adapter} against the graph and keeps it under {@code name}; the graph is not changed.
     *
     * @throws AdapterMismatchException if it does not fit the graph, or {@code name} is taken
     */
    public void add(String name, Adapter adapter) {
        if (plans.containsKey(name)) {
            throw new AdapterMismatchException("the bank already holds an adapter named \"" + name + "\"; remove it"
                    + " first or choose another name (held: " + plans.keySet() + ")");
        }
        plans.put(name, GraphAdapterApplier.plan(graph, adapter, options));
    }

    /** Reads the adapter file {@code path} and {@link #add adds} it under {@code name}. */
    public void add(String name, Path path) throws IOException {
        add(name, GraphAdapterFiles.read(path));
    }

    /** @return the names of the adapters held, in the order added */
    public Set<String> names() {
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(plans.keySet()));
    }

    /** @return the name of the active adapter, or null when none is (detached) */
    public String active() {
        return active;
    }

    /**
     * Copies the adapter {@code name} into the graph's α and β.
     *
     * @throws IllegalArgumentException naming the adapters held, when there is none of that name
     * @throws IllegalStateException    while merged
     */
    public void activate(String name) {
        AdapterPlan plan = plans.get(name);
        if (plan == null) {
            throw new IllegalArgumentException("no adapter named \"" + name + "\" in the bank; it holds "
                    + plans.keySet() + ". Add it first");
        }
        requireUnmerged("activate(\"" + name + "\")");
        plan.apply();
        active = name;
        log.debug("Activated adapter {} on {} weights", name, graph.adaptedWeights().size());
    }

    /** Sets every β (LoRA: B) to 0, so the graph computes its base again. */
    public void detach() {
        requireUnmerged("detach()");
        for (AdaptedWeight w : graph.adaptedWeights()) {
            graph.sameDiff().getVariable(w.trainableVariables().get(1)).getArr().assign(0);
        }
        active = null;
    }

    /** Folds the active adapter into W ({@link GraphMerger#merge()}). */
    public void merge() {
        merger.merge();
    }

    /** Restores the pristine W and the active adapter ({@link GraphMerger#unmerge()}). */
    public void unmerge() {
        merger.unmerge();
    }

    /** @return true while the active adapter is merged into W */
    public boolean isMerged() {
        return merger.isMerged();
    }

    private void requireUnmerged(String call) {
        if (merger.isMerged()) {
            throw new IllegalStateException(call + " while the adapter is merged into W would change W's base;"
                    + " call unmerge() first");
        }
    }
}
