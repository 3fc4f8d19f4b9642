package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.AdapterPlan;
import io.github.nola4j.layers.adapter.BaseFingerprint;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.basis.BasisGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
        if (!BasisGenerator.ID.equals(adapter.generatorId()) || BasisGenerator.VERSION != adapter.generatorVersion()) {
            throw new AdapterMismatchException(task + " was made with basis generator " + adapter.generatorId()
                    + " version " + adapter.generatorVersion() + ", but this library generates bases with "
                    + BasisGenerator.ID + " version " + BasisGenerator.VERSION + "; its coefficients mean nothing on"
                    + " other bases. Use the nola4j release that wrote it");
        }
        GraphTransferSettings.requireGraphOrNone(adapter.transferJson(), task);
        if (!adapter.transferJson().isEmpty()) {
            checkSettings(task, GraphTransferSettings.fromJson(adapter.transferJson(), task),
                    GraphTransferSettings.of(graph));
        }
        Map<String, LayerAdapter> byName = new LinkedHashMap<>();
        for (LayerAdapter la : adapter.layers()) {
            if (byName.put(la.name(), la) != null) {
                throw new AdapterMismatchException("weight \"" + la.name() + "\" appears twice in " + task
                        + "; each adapted weight has one entry. The file is corrupt, save it again");
            }
        }
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
            checkEntry(want, have);
            out.add(assignment(graph, w.trainableVariables().get(0), want.alpha()));
            out.add(assignment(graph, w.trainableVariables().get(1), want.beta()));
        }
        if (!options.allowDifferentBase() && !adapter.baseFingerprint().equals(graph.baseFingerprint())) {
            throw new AdapterMismatchException(task + " was trained on the base with fingerprint "
                    + adapter.baseFingerprint() + " but this graph's base has " + graph.baseFingerprint() + " ("
                    + BaseFingerprint.SCHEME + "); load it onto that base, or pass LoadOptions.ALLOW_DIFFERENT_BASE"
                    + " to apply it to another base on purpose");
        }
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

    private static void checkEntry(LayerAdapter want, LayerAdapter have) {
        boolean same = want.kind() == have.kind() && want.type().equals(have.type())
                && Arrays.equals(want.weightShape(), have.weightShape()) && want.hasBias() == have.hasBias()
                && want.rank() == have.rank() && want.numBasesA() == have.numBasesA()
                && want.numBasesB() == have.numBasesB() && Double.compare(want.scale(), have.scale()) == 0
                && (have.kind() == LayerAdapterKind.LORA || want.basisSeed() == have.basisSeed());
        if (!same) {
            throw new AdapterMismatchException("weight \"" + want.name() + "\": the adapter is for " + want.describe()
                    + " but the graph has " + have.describe() + "; adapt the weight with the adapter's options (the"
                    + " bases depend on shape, r, k, l and seed)");
        }
        requireFinite(want.name() + "/" + want.kind().firstKey(), want.alpha());
        requireFinite(want.name() + "/" + want.kind().secondKey(), want.beta());
    }

    private static AdapterPlan.Assignment assignment(GraphTransferResult graph, String variable, float[] values) {
        INDArray target = graph.sameDiff().getVariable(variable).getArr();
        INDArray value = Nd4j.createFromArray(values).reshape('c', target.shape()).castTo(target.dataType());
        return new AdapterPlan.Assignment(variable, target, value);
    }

    private static void requireFinite(String id, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new AdapterFormatException(id + "[" + i + "] = " + values[i] + " is not finite; the adapter is"
                        + " corrupt or its training diverged. Retrain or re-export it");
            }
        }
    }
}
