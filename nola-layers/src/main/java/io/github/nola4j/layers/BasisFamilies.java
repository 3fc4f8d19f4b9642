package io.github.nola4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One basis product per family and step: the NOLA layers of a network that share a basis family (the
 * default: same basis seed, rank, k, l and data type) build their factors A, s·B and project their
 * factor gradients onto α and β together, with one GEMM per group of equal basis rows
 * ({@link FamilyProduct}), instead of one pass over the bases per layer. The results are those of the
 * per-layer path ({@link NolaFactors#factors}, {@link NolaFactors#gradients}) to rounding.
 *
 * <p>Only {@link LayerRuntime#DIRECT} NOLA layers placed directly in the network take part (not LoRA
 * layers, not layers inside DL4J's frozen wrappers). Each family's gradients are written when its last
 * layer has run backprop, within DL4J's backward pass; the listener this adds also writes them in
 * {@code onGradientCalculation} (after backprop, before the updater) should a layer not have run.
 * The setting lives in the layers' runtime objects: it is not saved with the network, and a network
 * without it trains on the per-layer path. Call {@link #detach} before changing the network's layers.
 */
public final class BasisFamilies {

    private static final Logger log = LoggerFactory.getLogger(BasisFamilies.class);

    private BasisFamilies() {
    }

    /** @return the number of layers that now take part in a family product */
    public static int attach(MultiLayerNetwork net) {
        int n = attach(Arrays.asList(net.getLayers()));
        net.addListeners(new Flush(net.getLayers()));
        return n;
    }

    /** @return the number of layers that now take part in a family product */
    public static int attach(ComputationGraph graph) {
        int n = attach(Arrays.asList(graph.getLayers()));
        graph.addListeners(new Flush(graph.getLayers()));
        return n;
    }

    /** Puts every NOLA layer of {@code net} back on the per-layer path. */
    public static void detach(MultiLayerNetwork net) {
        detach(Arrays.asList(net.getLayers()));
        net.getListeners().removeIf(l -> l instanceof Flush);
    }

    /** Puts every NOLA layer of {@code graph} back on the per-layer path. */
    public static void detach(ComputationGraph graph) {
        detach(Arrays.asList(graph.getLayers()));
        graph.getListeners().removeIf(l -> l instanceof Flush);
    }

    private static int attach(List<Layer> layers) {
        Map<List<Object>, List<DirectLowRankLayer>> families = new LinkedHashMap<>();
        for (Layer layer : layers) {
            if (layer instanceof DirectLowRankLayer d && d.layerConf() instanceof NolaLayer conf) {
                NolaFactors f = conf.nolaFactors();
                DataType dt = d.getDataType();
                families.computeIfAbsent(List.of(f.basisSeed(), f.rank(), f.numBasesA(), f.numBasesB(), dt),
                        k -> new ArrayList<>()).add(d);
            }
        }
        int n = 0;
        for (List<DirectLowRankLayer> family : families.values()) {
            FamilyProduct product = new FamilyProduct(family);
            family.forEach(d -> d.setFamilyProduct(product));
            n += family.size();
        }
        log.debug("{} NOLA layer(s) in {} basis family product(s)", n, families.size());
        return n;
    }

    private static void detach(List<Layer> layers) {
        for (Layer layer : layers) {
            if (layer instanceof DirectLowRankLayer d) {
                d.setFamilyProduct(null);
            }
        }
    }

    /** Writes the gradients of families whose layers did not all run backprop, before the updater. */
    private static final class Flush extends BaseTrainingListener implements TrainingListener {
        private final Layer[] layers;

        Flush(Layer[] layers) {
            this.layers = layers;
        }

        @Override
        public void onGradientCalculation(Model model) {
            for (Layer layer : layers) {
                if (layer instanceof DirectLowRankLayer d && d.familyProduct() != null) {
                    d.familyProduct().flush();
                }
            }
        }
    }
}
