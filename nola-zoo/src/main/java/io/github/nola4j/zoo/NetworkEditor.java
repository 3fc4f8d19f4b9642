package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Edits a copy of a network's configuration layer by layer and builds a new network from it,
 * for {@code MultiLayerNetwork} and {@code ComputationGraph} alike. The source network is only
 * read: its configuration is cloned first and its parameters are copied, never assigned.
 *
 * @param <M> the network type
 */
abstract class NetworkEditor<M extends Model> {

    /** The network being adapted; only read. */
    protected final M source;
    /** Every layer of {@link #source}, in network order. */
    protected final List<LayerRef> layers;

    protected NetworkEditor(M source, org.deeplearning4j.nn.api.Layer[] runtimeLayers) {
        this.source = source;
        this.layers = refsOf(runtimeLayers);
    }

    /**
     * @return the editor of a MultiLayerNetwork or ComputationGraph
     * @throws IllegalArgumentException for any other model, or one that is not initialised
     */
    @SuppressWarnings("unchecked")
    static <M extends Model> NetworkEditor<M> forModel(M model) {
        if (model instanceof MultiLayerNetwork net) {
            requireInitialised(net.getLayers());
            return (NetworkEditor<M>) new MultiLayerEditor(net);
        }
        if (model instanceof ComputationGraph graph) {
            requireInitialised(graph.getLayers());
            return (NetworkEditor<M>) new GraphEditor(graph);
        }
        throw new IllegalArgumentException("Model of type " + (model == null ? "null" : model.getClass().getName())
                + " cannot be adapted; pass a MultiLayerNetwork or ComputationGraph (zoo init() returns one)");
    }

    /**
     * @return the runtime layers of a MultiLayerNetwork or ComputationGraph by layer name, in network order
     * @throws IllegalArgumentException for any other model, or one that is not initialised
     */
    static Map<String, org.deeplearning4j.nn.api.Layer> layersOf(Model model) {
        org.deeplearning4j.nn.api.Layer[] runtime = model instanceof MultiLayerNetwork net ? net.getLayers()
                : model instanceof ComputationGraph graph ? graph.getLayers() : null;
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            forModel(model); // throws, naming the type
        }
        requireInitialised(runtime);
        return byName(runtime);
    }

    private static void requireInitialised(org.deeplearning4j.nn.api.Layer[] runtimeLayers) {
        if (runtimeLayers == null) {
            throw new IllegalArgumentException("The network is not initialised; call init() on it first");
        }
    }

    /** @return every layer of the source network, in network order */
    final List<LayerRef> layers() {
        return layers;
    }

    /** @return the editable (cloned) configuration holding layer {@code name} */
    abstract NeuralNetConfiguration editable(String name);

    /** @return the runtime layers of {@code network} by layer name */
    abstract Map<String, org.deeplearning4j.nn.api.Layer> runtimeLayers(M network);

    /** @return the source network */
    final M source() {
        return source;
    }

    /**
     * @return the names of the layers in the order DL4J runs them forward (a ComputationGraph's
     *         topological order); its backward pass visits them in reverse
     */
    abstract List<String> forwardOrder();

    /**
     * The vertices whose backward pass nothing needs: those with no trainable layer among themselves and
     * every vertex upstream of them (on any path from the network's inputs). The set is closed under
     * "upstream": every input of such a vertex is in it too, so once each of them is skipped by DL4J's
     * backward pass ({@link #skipInBackprop} and frozen layers without backprop), every vertex that
     * still runs backward gets the gradients of all its outputs.
     *
     * @param trains the names of the layers with a parameter that trains
     * @return their names (input vertices excluded); every name when nothing trains
     */
    abstract Set<String> withoutTrainableUpstream(Set<String> trains);

    /**
     * Makes DL4J's backward pass skip vertex {@code name}, one of {@link #withoutTrainableUpstream}
     * that has no parameters (layers with parameters are frozen by {@link LayerFreezing#freeze}).
     */
    abstract void skipInBackprop(String name);

    /** @return the name of the last layer with parameters on the single path to the network output */
    abstract String defaultHead();

    /** Appends a loss layer after the last layer of the copy. */
    abstract void appendLossLayer(LossLayer loss);

    /** Applies the network-wide part of a fine-tune configuration to the copy. */
    abstract void applyGlobal(FineTuneConfiguration fineTune);

    /** @return a new, initialised network from the edited configuration */
    abstract M instantiate();

    /** Replaces layer {@code name} in the copy. */
    void replace(String name, Layer layer) {
        NeuralNetConfiguration nnc = editable(name);
        layer.setLayerName(name);
        nnc.setLayer(layer);
        nnc.clearVariables();
    }

    /**
     * Builds the new network and copies every parameter of the source, by layer name and
     * parameter key, into it, except those of the layers in {@code freshLayers}. Parameters the
     * source lacks (NOLA's α and β) keep their initial values.
     */
    M build(List<String> freshLayers) {
        M network = instantiate();
        Map<String, org.deeplearning4j.nn.api.Layer> from = runtimeLayers(source());
        for (Map.Entry<String, org.deeplearning4j.nn.api.Layer> e : runtimeLayers(network).entrySet()) {
            org.deeplearning4j.nn.api.Layer source = from.get(e.getKey());
            if (source == null || freshLayers.contains(e.getKey()) || e.getValue().numParams() == 0) {
                continue;
            }
            Map<String, INDArray> target = e.getValue().paramTable();
            for (Map.Entry<String, INDArray> p : source.paramTable().entrySet()) {
                INDArray dest = target.get(p.getKey());
                if (dest == null) {
                    throw new IllegalStateException("Layer \"" + e.getKey() + "\": the new layer has no parameter \""
                            + p.getKey() + "\" to copy the pretrained one into (keys: " + target.keySet() + ")");
                }
                // getParam(..).assign: setParam does nothing on SameDiff layers
                e.getValue().getParam(p.getKey()).assign(p.getValue().reshape(dest.shape()));
            }
        }
        return network;
    }

    static Map<String, org.deeplearning4j.nn.api.Layer> byName(org.deeplearning4j.nn.api.Layer[] layers) {
        Map<String, org.deeplearning4j.nn.api.Layer> map = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.api.Layer l : layers) {
            map.put(nameOf(l.conf().getLayer(), l.getIndex()), l);
        }
        return map;
    }

    /** @return a reference to each of {@code layers}, in their order */
    static List<LayerRef> refsOf(org.deeplearning4j.nn.api.Layer[] layers) {
        List<LayerRef> refs = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer l : layers) {
            refs.add(new LayerRef(nameOf(l.conf().getLayer(), l.getIndex()), l.getIndex(), l.conf().getLayer(),
                    l.numParams()));
        }
        return List.copyOf(refs);
    }

    static String nameOf(Layer conf, int index) {
        return conf.getLayerName() != null ? conf.getLayerName() : "layer" + index;
    }
}
