package io.github.nola4j.layers.merge;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Folds every NOLA (and LoRA) layer of a network into a plain DL4J layer holding W + s·A·B, giving a network
 * that runs, saves and restores without nola4j. The input network is not changed. Each layer's W + s·A·B is
 * computed in the thread's {@link MergeWorkspace}, so merging leaves no temporaries for the garbage collector.
 *
 * <pre>
 *   MultiLayerNetwork plain = NolaMerge.mergeAndUnload(adapted);
 *   ModelSerializer.writeModel(plain, file, false);   // restores without nola4j
 * </pre>
 */
public final class NolaMerge {

    private NolaMerge() {
    }

    /** @deprecated it returns a new network: use {@link #mergeAndUnload(MultiLayerNetwork)} */
    @Deprecated
    public static MultiLayerNetwork merge(MultiLayerNetwork net) {
        return mergeAndUnload(net);
    }

    /** @deprecated it returns a new graph: use {@link #mergeAndUnload(ComputationGraph)} */
    @Deprecated
    public static ComputationGraph merge(ComputationGraph net) {
        return mergeAndUnload(net);
    }

    /**
     * @return a new network with every NOLA layer merged; other layers keep their parameters (PEFT's
     *         {@code merge_and_unload}; unlike {@code AdapterBank.merge}, which folds in place)
     */
    public static MultiLayerNetwork mergeAndUnload(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        for (NeuralNetConfiguration layerConf : conf.getConfs()) {
            replaceNola(layerConf);
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            copyParams(net.getLayer(i), out.getLayer(i));
        }
        return out;
    }

    /** @return a new graph with every NOLA layer merged; other layers keep their parameters */
    public static ComputationGraph mergeAndUnload(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex layerVertex) {
                replaceNola(layerVertex.getLayerConf());
            }
        }
        ComputationGraph out = new ComputationGraph(conf);
        out.init();
        for (Layer layer : net.getLayers()) {
            copyParams(layer, out.getLayer(layer.conf().getLayer().getLayerName()));
        }
        return out;
    }

    private static void replaceNola(NeuralNetConfiguration layerConf) {
        if (layerConf.getLayer() instanceof LowRankLayer lowRank) {
            layerConf.setLayer(PlainLayers.configOf(lowRank));
        }
    }

    private static void copyParams(Layer from, Layer to) {
        Map<String, INDArray> params = from.paramTable();
        if (from.conf().getLayer() instanceof LowRankLayer lowRank) {
            try (MemoryWorkspace ignored = MergeWorkspace.open()) {
                to.getParam(LowRankLayer.WEIGHT_KEY).assign(
                        lowRank.update(params).mergedWeight(params.get(LowRankLayer.WEIGHT_KEY)));
            }
            if (lowRank.hasBias()) {
                to.getParam(LowRankLayer.BIAS_KEY).assign(params.get(LowRankLayer.BIAS_KEY));
            }
            return;
        }
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            to.getParam(e.getKey()).assign(e.getValue());
        }
    }
}
