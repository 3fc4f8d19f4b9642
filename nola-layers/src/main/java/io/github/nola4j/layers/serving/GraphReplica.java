package io.github.nola4j.layers.serving;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A {@link NetworkReplica} of a ComputationGraph: its vertices in topological order. Layer vertices run
 * their preprocessor and then {@link #runLayer}; every other vertex (merge, element-wise, ...) runs as DL4J
 * runs it, once for the batch.
 */
final class GraphReplica extends NetworkReplica {

    private final ComputationGraph graph;

    GraphReplica(ComputationGraph graph, FactorCache factors) {
        super(graph.getLayers(), factors);
        this.graph = graph;
    }

    @Override
    INDArray[] output(INDArray[] inputs, RowGroups groups, List<ResidentAdapter> adapters) {
        GraphVertex[] vertices = graph.getVertices();
        List<String> inputNames = graph.getConfiguration().getNetworkInputs();
        INDArray[] acts = new INDArray[vertices.length];
        int[] readers = new int[vertices.length];
        for (GraphVertex v : vertices) {
            readers[v.getVertexIndex()] = v.getOutputVertices() == null ? 0 : v.getOutputVertices().length;
        }
        for (String name : graph.getConfiguration().getNetworkOutputs()) {
            readers[graph.getVertex(name).getVertexIndex()]++;
        }
        for (int idx : graph.topologicalSortOrder()) {
            GraphVertex v = vertices[idx];
            if (v.isInputVertex()) {
                acts[idx] = inputs[inputNames.indexOf(v.getVertexName())];
                continue;
            }
            VertexIndices[] from = v.getInputVertices();
            INDArray[] in = new INDArray[from.length];
            for (int j = 0; j < from.length; j++) {
                int src = from[j].getVertexIndex();
                in[j] = acts[src];
                if (--readers[src] == 0) {
                    acts[src] = null;   // the last reader: let the activation go
                }
            }
            if (v instanceof LayerVertex lv && from.length == 1) {
                INDArray x = in[0];
                InputPreProcessor pre = lv.getLayerPreProcessor();
                if (pre != null) {
                    x = pre.preProcess(x, (int) x.size(0), workspaces);
                }
                acts[idx] = runLayer(lv.getLayer(), x, groups, adapters);
                continue;
            }
            for (int j = 0; j < from.length; j++) {
                v.setInput(j, in[j], workspaces);
            }
            acts[idx] = v.doForward(false, workspaces);
            v.clear();
        }
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        INDArray[] out = new INDArray[outputs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = acts[graph.getVertex(outputs.get(i)).getVertexIndex()];
        }
        return out;
    }
}
