package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MultiLayerNetwork or ComputationGraph seen as a base plus adapter layers (NOLA or LoRA,
 * {@link LayerAdapterKind}): its layers by name, its adapter layers in network order, and the {@link BaseFingerprint} of the base (computed once,
 * on first use; do not ask for it while the network is merged).
 *
 * <p>Keep one instance per network: the fingerprint hashes every W and b once per instance.
 *
 * <p>Layer names are those of the layer configs: vertex names in a ComputationGraph, and
 * "layer0", "layer1", ... in a MultiLayerNetwork unless the layers were named.
 */
public final class AdaptedNetwork {

    private final Model model;
    private final Map<String, Layer> layersByName = new LinkedHashMap<>();
    private final List<Layer> nolaLayers = new ArrayList<>();
    private final List<AdaptedNetworkWeight> weights = new ArrayList<>();
    private String fingerprint;

    private AdaptedNetwork(Model model, Layer[] layers) {
        this.model = model;
        for (Layer layer : layers) {
            String name = layer.conf().getLayer().getLayerName();
            layersByName.put(name, layer);
            if (LayerAdapterKind.isAdapterLayer(layer.conf().getLayer())) {
                nolaLayers.add(layer);
            }
            weights.addAll(AdaptedNetworkWeight.of(layer));
        }
    }

    /**
     * @param model an initialised MultiLayerNetwork or ComputationGraph
     * @throws IllegalArgumentException for other models, or a network without NOLA or LoRA layers
     */
    public static AdaptedNetwork of(Model model) {
        Layer[] layers;
        if (model instanceof MultiLayerNetwork mln) {
            layers = mln.getLayers();
        } else if (model instanceof ComputationGraph cg) {
            layers = cg.getLayers();
        } else {
            throw new IllegalArgumentException("model of type " + (model == null ? null : model.getClass().getName())
                    + " is not supported; pass a MultiLayerNetwork or ComputationGraph");
        }
        if (layers == null) {
            throw new IllegalArgumentException("the network is not initialised; call init() before using adapters");
        }
        AdaptedNetwork net = new AdaptedNetwork(model, layers);
        if (net.weights.isEmpty()) {
            throw new IllegalArgumentException("the network has no NOLA or LoRA layers (NolaDense, NolaConv2d,"
                    + " LoraDense, LoraConv2d, NolaAttention, LoraAttention), so it has no adapter; its layers are "
                    + net.layersByName.keySet());
        }
        return net;
    }

    /** @return the wrapped network */
    public Model model() {
        return model;
    }

    /**
     * @return the low-rank adapter layers (NOLA and LoRA), in network order; an attention adapter
     * ({@code NolaAttention}, {@code LoraAttention}) holds adapted weights ({@link #adaptedWeights()}) but is not one
     * of them
     */
    public List<Layer> adapterLayers() {
        return List.copyOf(nolaLayers);
    }

    /** @return every adapted weight (one per NOLA or LoRA layer, one per adapted attention projection), in network order */
    public List<AdaptedNetworkWeight> adaptedWeights() {
        return List.copyOf(weights);
    }

    /**
     * @param purpose what needs it, for the message
     * @throws IllegalArgumentException when an attention layer holds adapted weights, which {@code purpose} does not
     *                                  handle
     */
    public void requireLowRankLayersOnly(String purpose) {
        if (weights.size() != nolaLayers.size()) {
            List<String> attention = weights.stream().filter(w -> !nolaLayers.contains(w.layer()))
                    .map(AdaptedNetworkWeight::name).toList();
            throw new IllegalArgumentException(purpose + " handles NOLA and LoRA layers only, but the network adapts"
                    + " attention projections " + attention + "; switch their adapters with AdapterBank instead");
        }
    }

    /**
     * @return the adapter layers (NOLA and LoRA), in network order
     * @deprecated LoRA layers are adapter layers too; use {@link #adapterLayers()}
     */
    @Deprecated
    public List<Layer> nolaLayers() {
        return adapterLayers();
    }

    /** @return the names of all layers, in network order */
    public List<String> layerNames() {
        return List.copyOf(layersByName.keySet());
    }

    /** @return the layer of that name, or null */
    public Layer layer(String name) {
        return layersByName.get(name);
    }

    /**
     * @return the layer of that name
     * @throws AdapterMismatchException naming the real layers when there is none
     */
    public Layer requireLayer(String name, String purpose) {
        Layer layer = layersByName.get(name);
        if (layer == null) {
            throw new AdapterMismatchException(purpose + ": the network has no layer \"" + name + "\"; its layers are "
                    + layersByName.keySet());
        }
        return layer;
    }

    /** @return the name of a layer of this network */
    public static String nameOf(Layer layer) {
        return layer.conf().getLayer().getLayerName();
    }

    /** @return the NOLA configuration of a NOLA layer from {@link #adapterLayers()} */
    public static NolaLayer configOf(Layer layer) {
        return (NolaLayer) layer.conf().getLayer();
    }

    /** @return the base fingerprint, computed on the first call */
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            fingerprint = BaseFingerprint.of(weights);
        }
        return fingerprint;
    }

    /** @return the values of {@code array} in C order, as binary32 */
    static float[] toFloatC(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
