package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One caller's copy of the base network for mixed-adapter inference. DL4J layers keep their input
 * between calls, so two threads may not run one layer object; a replica is a second network built
 * from the same configuration over the <em>same</em> flattened parameter array (one copy of W in
 * memory, only read), so each thread runs its own layer objects. Layers an adapter replaces in full
 * (its head) get a private copy of their parameters in the replica, made on first use, into which a
 * group's values are copied before the group runs; the base's values are read from the shared layer.
 *
 * <p>Not thread-safe: one replica serves one call at a time ({@link MixedAdapterNetwork} pools them).
 */
abstract class NetworkReplica {

    protected final LayerWorkspaceMgr workspaces = ServingWorkspace.layerArrays();
    private final FactorCache factors;
    private final Map<Layer, Integer> adapterIndex = new IdentityHashMap<>();
    private final Map<String, Layer> privateLayers = new HashMap<>();
    private final Map<String, ResidentAdapter> loaded = new HashMap<>();

    NetworkReplica(Layer[] layers, FactorCache factors) {
        this.factors = factors;
        int i = 0;
        for (Layer layer : layers) {
            if (LayerAdapterKind.isAdapterLayer(layer.conf().getLayer())) {
                adapterIndex.put(layer, i++);
            }
        }
    }

    /** @return a replica of {@code base} sharing its parameter array */
    static NetworkReplica of(Model base, FactorCache factors) {
        if (base instanceof MultiLayerNetwork mln) {
            MultiLayerNetwork copy = new MultiLayerNetwork(mln.getLayerWiseConfigurations().clone());
            copy.init(mln.params(), false);
            return new LayerStackReplica(copy, factors);
        }
        ComputationGraph cg = (ComputationGraph) base;
        ComputationGraph copy = new ComputationGraph(cg.getConfiguration().clone());
        copy.init(cg.params(), false);
        return new GraphReplica(copy, factors);
    }

    /**
     * @param inputs   the network's inputs, rows in gathered order
     * @param groups   the row groups
     * @param adapters the adapter of each group, null for the base
     * @return the network's outputs, rows in gathered order
     */
    abstract INDArray[] output(INDArray[] inputs, RowGroups groups, List<ResidentAdapter> adapters);

    /**
     * Runs one layer (its preprocessor already applied): adapter layers through {@link LowRankForward},
     * layers some group's adapter replaces through {@link StackedDense} when they are dense and the batch has several
     * groups, else once per group; any other layer once for the batch.
     */
    protected INDArray runLayer(Layer layer, INDArray x, RowGroups groups, List<ResidentAdapter> adapters) {
        Integer index = adapterIndex.get(layer);
        if (index != null) {
            return LowRankForward.forward(layer, index, x, groups.groups(), adapters, factors);
        }
        String name = layer.conf().getLayer().getLayerName();
        boolean replaced = false;
        for (ResidentAdapter a : adapters) {
            replaced |= a != null && a.replaces(name);
        }
        if (!replaced) {
            INDArray y = layer.activate(x, false, workspaces);
            layer.clear();
            return y;
        }
        if (adapters.size() > 1 && StackedDense.runs(layer)) {
            return StackedDense.forward(layer, name, x, groups.groups(), adapters);
        }
        Layer own = privateLayers.computeIfAbsent(name, k -> privateCopy(layer));
        INDArray out = null;
        for (int g = 0; g < adapters.size(); g++) {
            load(own, layer, name, adapters.get(g));
            RowGroups.Group group = groups.groups().get(g);
            INDArray y = own.activate(LowRankForward.rows(x, group), false, workspaces);
            own.clear();
            if (adapters.size() == 1) {
                return y;
            }
            if (out == null) {   // the groups' outputs assigned into one array (ND4J's concat costs more)
                long[] shape = y.shape().clone();
                shape[0] = x.size(0);
                out = Nd4j.createUninitialized(y.dataType(), shape);
            }
            LowRankForward.rows(out, group).assign(y);
        }
        return out;
    }

    /** Copies the group's values (the base's where the adapter has none) into the private layer. */
    private void load(Layer own, Layer shared, String name, ResidentAdapter adapter) {
        if (loaded.containsKey(name) && loaded.get(name) == adapter) {
            return;
        }
        Map<String, INDArray> values = adapter == null ? Map.of() : adapter.extras(name);
        for (Map.Entry<String, INDArray> p : shared.paramTable().entrySet()) {
            own.getParam(p.getKey()).assign(values.getOrDefault(p.getKey(), p.getValue()));
        }
        loaded.put(name, adapter);
    }

    private static Layer privateCopy(Layer layer) {
        INDArray params;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            params = layer.params().dup();
        }
        return layer.conf().getLayer().instantiate(layer.conf().clone(), List.of(), layer.getIndex(),
                params.reshape(1, params.length()), false, params.dataType());
    }
}
