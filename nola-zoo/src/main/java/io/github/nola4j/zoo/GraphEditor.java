package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link NetworkEditor} of a {@link ComputationGraph}; layers are named by their vertices. */
final class GraphEditor extends NetworkEditor<ComputationGraph> {

    private final ComputationGraphConfiguration copy;

    GraphEditor(ComputationGraph source) {
        super(source, source.getLayers());
        this.copy = source.getConfiguration().clone();
    }

    @Override
    NeuralNetConfiguration editable(String name) {
        GraphVertex v = copy.getVertices().get(name);
        if (!(v instanceof LayerVertex lv)) {
            throw new IllegalArgumentException("No layer named \"" + name + "\"; use one of "
                    + TargetSelector.listing(layers));
        }
        return lv.getLayerConf();
    }

    @Override
    Map<String, org.deeplearning4j.nn.api.Layer> runtimeLayers(ComputationGraph network) {
        return byName(network.getLayers());
    }

    @Override
    List<String> forwardOrder() {
        List<String> names = new ArrayList<>();
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] vertices = source.getVertices();
        for (int index : source.topologicalSortOrder()) {
            if (vertices[index].hasLayer()) {
                names.add(vertices[index].getVertexName());
            }
        }
        return names;
    }

    @Override
    Set<String> withoutTrainableUpstream(Set<String> trains) {
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] vertices = source.getVertices();
        boolean[] trainsUpTo = new boolean[vertices.length]; // the vertex or one upstream of it trains
        Set<String> none = new HashSet<>();
        for (int index : source.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = vertices[index];
            boolean upTo = trains.contains(v.getVertexName());
            if (v.getInputVertices() != null) {
                for (VertexIndices in : v.getInputVertices()) {
                    upTo |= trainsUpTo[in.getVertexIndex()];
                }
            }
            trainsUpTo[index] = upTo;
            if (!upTo && !v.isInputVertex()) {
                none.add(v.getVertexName());
            }
        }
        return none;
    }

    /**
     * Wraps a parameterless layer in a {@link FrozenForwardLayer} (DL4J's {@link FrozenLayer}, whose runtime runs
     * a ReLU ActivationLayer on libnd4j) and any other vertex in a {@link FrozenForwardVertex} (DL4J's
     * {@link FrozenVertex}, whose runtime adds an ElementWiseVertex's inputs in one pass), as
     * {@code TransferLearning.GraphBuilder.setFeatureExtractor} does:
     * {@code ComputationGraph.calcBackpropGradients} skips exactly those vertices, and a vertex it
     * does not skip needs the gradients of all its outputs (else "all epsilons not set").
     */
    @Override
    void skipInBackprop(String name) {
        GraphVertex v = copy.getVertices().get(name);
        if (v instanceof LayerVertex lv) {
            if (!(lv.getLayerConf().getLayer() instanceof FrozenLayer)) {
                replace(name, new FrozenForwardLayer(lv.getLayerConf().getLayer().clone()));
            }
        } else if (!(v instanceof FrozenVertex)) {
            copy.getVertices().put(name, new FrozenForwardVertex(v));
        }
    }

    @Override
    String defaultHead() {
        List<String> outputs = copy.getNetworkOutputs();
        if (outputs.size() != 1) {
            throw new IllegalArgumentException("The graph has " + outputs.size() + " outputs " + outputs
                    + "; name the head layer with replaceHead(layerName, nOut)");
        }
        String name = outputs.get(0);
        while (true) {
            GraphVertex v = copy.getVertices().get(name);
            if (!(v instanceof LayerVertex lv)) {
                break;
            }
            if (lv.getLayerConf().getLayer().initializer().numParams(lv.getLayerConf()) > 0) {
                return name;
            }
            List<String> inputs = copy.getVertexInputs().get(name);
            if (inputs == null || inputs.size() != 1) {
                break;
            }
            name = inputs.get(0);
        }
        throw new IllegalArgumentException("No layer with parameters on a single path before the output \""
                + outputs.get(0) + "\" (stopped at \"" + name + "\"); name the head with replaceHead(layerName, nOut)");
    }

    @Override
    void appendLossLayer(LossLayer loss) {
        throw new UnsupportedOperationException("Adding a loss layer to a ComputationGraph is not supported; "
                + "give the graph an output layer first");
    }

    @Override
    void applyGlobal(FineTuneConfiguration fineTune) {
        fineTune.applyToComputationGraphConfiguration(copy);
    }

    @Override
    ComputationGraph instantiate() {
        ComputationGraph graph = new ComputationGraph(copy);
        graph.init();
        return graph;
    }
}
