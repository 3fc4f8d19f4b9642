package io.github.nola4j.zoo;

import io.github.nola4j.zoo.NhwcLayers.Kind;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of a network whose convolutional part runs on NHWC activations [mb, h, w, c] ({@code CNN2DFormat.NHWC})
 * instead of NCHW [mb, c, h, w], computing the same outputs from the same (NCHW) input and parameters:
 * <pre>
 *   x (NCHW, as before) → permute to NHWC → convolutions, BatchNorm, pooling, padding, activations, residual sums
 *     on NHWC → permute to NCHW before a CnnToFeedForwardPreProcessor (or global pooling over dims 1, 2) → dense
 * </pre>
 * Kernels keep DL4J's layout [nOut, nIn, kH, kW] and dense layers flatten in NCHW order, so every parameter is
 * the source's, bit for bit, under the same name. What it costs: one permute (a copy) of the input, and one of
 * the gradient where a trainable layer reads it. What it saves: libnd4j's oneDNN conv2d runs NCHW data through
 * reorders to and from NHWC on every call. Layers ({@link NhwcLayers}), vertices other than element-wise ones,
 * and network outputs on convolutional activations that cannot run on NHWC are refused with an error that
 * names them. The source is only read.
 */
final class NhwcRebuild {

    private NhwcRebuild() {
    }

    /** @return the NHWC copy of a MultiLayerNetwork or ComputationGraph */
    @SuppressWarnings("unchecked")
    static <M extends Model> M of(M source) {
        if (source instanceof MultiLayerNetwork net) {
            return (M) of(net);
        }
        if (source instanceof ComputationGraph graph) {
            return (M) of(graph);
        }
        throw new IllegalArgumentException("activationDataFormat(NHWC) takes a MultiLayerNetwork or ComputationGraph, got "
                + source.getClass().getName());
    }

    /** @return what the network's input is to the layer that reads it directly */
    private static Kind inputKind(InputPreProcessor existing, Layer consumer) {
        return existing instanceof CnnToFeedForwardPreProcessor
                || (existing == null && NhwcLayers.isConvolutionOnly(consumer)) ? Kind.NCHW_INPUT : Kind.FEED_FORWARD;
    }

    static MultiLayerNetwork of(MultiLayerNetwork source) {
        MultiLayerConfiguration conf = source.getLayerWiseConfigurations().clone();
        Kind kind = Kind.FEED_FORWARD;
        String last = "";
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String name = layer.getLayerName() == null ? "layer " + i : layer.getLayerName();
            InputPreProcessor existing = conf.getInputPreProcess(i);
            NhwcLayers.Input in = NhwcLayers.input(existing, i == 0 ? inputKind(existing, layer) : kind, name, layer);
            if (in.preProcessor() == null) {
                conf.getInputPreProcessors().remove(i);
            } else {
                conf.getInputPreProcessors().put(i, in.preProcessor());
            }
            kind = NhwcLayers.convert(layer, in.kind(), name);
            last = name;
        }
        if (kind == Kind.NHWC) {
            throw NhwcLayers.refuse(last, conf.getConf(conf.getConfs().size() - 1).getLayer(),
                    "is the output and writes convolutional activations, which would come out NHWC");
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(source.params().dup(), false);
        return net;
    }

    static ComputationGraph of(ComputationGraph source) {
        ComputationGraphConfiguration conf = source.getConfiguration().clone();
        List<String> inputs = conf.getNetworkInputs();
        Map<String, Kind> kinds = new HashMap<>();
        for (int index : source.topologicalSortOrder()) {
            String name = source.getVertices()[index].getVertexName();
            if (inputs.contains(name)) {
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            List<String> from = conf.getVertexInputs().get(name);
            if (vertex instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                String src = from.get(0);
                Kind k = inputs.contains(src) ? inputKind(lv.getPreProcessor(), layer) : kinds.get(src);
                NhwcLayers.Input in = NhwcLayers.input(lv.getPreProcessor(), k, name, layer);
                lv.setPreProcessor(in.preProcessor());
                kinds.put(name, NhwcLayers.convert(layer, in.kind(), name));
            } else {
                long nhwc = from.stream().filter(s -> kinds.get(s) == Kind.NHWC).count();
                if (nhwc > 0 && !(vertex instanceof ElementWiseVertex && nhwc == from.size())) {
                    throw NhwcLayers.refuse(name, vertex, "combines convolutional activations and has no NHWC form "
                            + "here (element-wise vertices on convolutional inputs only)");
                }
                kinds.put(name, nhwc > 0 ? Kind.NHWC : Kind.FEED_FORWARD);
            }
        }
        for (String output : conf.getNetworkOutputs()) {
            if (kinds.get(output) == Kind.NHWC) {
                throw NhwcLayers.refuse(output, conf.getVertices().get(output),
                        "is an output and writes convolutional activations, which would come out NHWC");
            }
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(source.params().dup(), false);
        return graph;
    }
}
