package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.AdapterChecks;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.AdapterPlan;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks an {@link Adapter} against a graph adapted by {@link NolaGraphTransfer} and copies it in, as the layers'
 * {@code AdapterApplier} does for networks. Everything is validated first ({@link #plan}); only then is anything
 * assigned, so on any exception the graph is unchanged.
 *
 * <p>Checks, in order: basis generator id and version; transfer settings, if any, are the graph tool's (a file
 * saved from a DL4J network is refused) and equal the graph's selection and options; the entries are exactly the
 * adapted weights (by name); per weight the kind, type (layout), W shape, r, k, l, s and, for NOLA, the basis seed;
 * no extra tensors; every value finite; the base fingerprint (unless {@link LoadOptions#allowDifferentBase()}).
 */
public final class GraphAdapterApplier {

    private GraphAdapterApplier() {
    }

    /**
     * Validates {@code adapter} against {@code graph} and copies it in.
     *
     * @throws AdapterMismatchException if it does not fit; the graph is then unchanged
     * @throws AdapterFormatException   if a value is not finite; the graph is then unchanged
     */
    public static void apply(GraphTransferResult graph, Adapter adapter, LoadOptions options) {
        plan(graph, adapter, options).apply();
    }

    /**
     * Validates {@code adapter} against {@code graph} without changing the graph.
     *
     * @return the assignments that {@link AdapterPlan#apply()} makes
     */
    public static AdapterPlan plan(GraphTransferResult graph, Adapter adapter, LoadOptions options) {
        Objects.requireNonNull(options, "options: use LoadOptions.STRICT");
        String task = "adapter \"" + adapter.task() + "\"";
        AdapterChecks.requireGenerator(adapter);
        GraphTransferSettings.requireGraphOrNone(adapter.transferJson(), task);
        if (!adapter.transferJson().isEmpty()) {
            checkSettings(task, GraphTransferSettings.fromJson(adapter.transferJson(), task),
                    GraphTransferSettings.of(graph));
        }
        Map<String, LayerAdapter> byName = AdapterChecks.entriesByName(adapter, "weight");
        List<String> adapted = graph.adaptedWeights().stream().map(AdaptedWeight::name).toList();
        if (!byName.keySet().equals(new java.util.HashSet<>(adapted))) {
            throw new AdapterMismatchException(task + " has weights " + byName.keySet() + " but the graph's adapted"
                    + " weights are " + adapted + "; load it onto a graph adapted with the same selection, or rebuild"
                    + " one with NolaGraphTransfer.of(base).restore(file)");
        }
        if (!adapter.extraTensors().isEmpty()) {
            throw new AdapterMismatchException(task + " holds " + adapter.extraTensors().size() + " extra tensors"
                    + " (saved layers of a DL4J network); a graph adapter has none. Load it onto the network it was"
                    + " saved from");
        }
        List<AdapterPlan.Assignment> out = new ArrayList<>();
        for (AdaptedWeight w : graph.adaptedWeights()) {
            LayerAdapter want = byName.get(w.name());
            LayerAdapter have = GraphAdapterCapture.configOf(w);
            AdapterChecks.requireCompatible(want, have, "weight", "graph", "adapt the weight with the adapter's options");
            out.add(assignment(graph, w.trainableVariables().get(0), want.alpha()));
            out.add(assignment(graph, w.trainableVariables().get(1), want.beta()));
        }
        AdapterChecks.requireBase(adapter, graph.baseFingerprint(), options, "graph");
        return new AdapterPlan(adapter, out);
    }

    private static void checkSettings(String task, GraphTransferSettings file, GraphTransferSettings graph) {
        boolean same = file.weights().size() == graph.weights().size();
        for (int i = 0; same && i < file.weights().size(); i++) {
            same = file.weights().get(i).sameAs(graph.weights().get(i));
        }
        if (!same) {
            throw new AdapterMismatchException(task + " was saved from a graph adapted as "
                    + file.weights().stream().map(GraphTransferSettings.Weight::describe).toList() + " but this graph"
                    + " is adapted as " + graph.weights().stream().map(GraphTransferSettings.Weight::describe).toList()
                    + "; adapt the base with the file's selection and options, e.g. NolaGraphTransfer.of(base)"
                    + ".restore(file)");
        }
    }

    private static AdapterPlan.Assignment assignment(GraphTransferResult graph, String variable, float[] values) {
        return AdapterChecks.assignment(variable, graph.sameDiff().getVariable(variable).getArr(), values);
    }
}
