package io.github.nola4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One basis product per family and step: the NOLA layers of a network that share a basis family (the
 * default: same basis seed, rank, k, l and data type) build their factors A, s·B and project their
 * factor gradients onto α and β together, with one GEMM per group of equal basis rows
 * ({@link FamilyProduct}), instead of one pass over the bases per layer. The results are those of the
 * per-layer path ({@link NolaFactors#factors}, {@link NolaFactors#gradients}) to rounding.
 *
 * <p>On by default: every {@link LayerRuntime#DIRECT} NOLA layer whose configuration has
 * {@link NolaLayer#isBasisFamilyProduct()} joins its network's families at the first training step
 * ({@link FamilyRoster}), in a network built, cloned or read back with ModelSerializer alike. LoRA layers
 * take no part. {@link #detach} puts a network's layers on the per-layer path and {@link #attach} back; the
 * choice is in the layers' configurations, so it is saved with the network and a saved copy trains on with
 * the same arithmetic. Each family's gradients are written when its last layer has run backprop, within
 * DL4J's backward pass, or else when DL4J asks the layers for their regularisation score after backprop and
 * before the updater ({@link DirectLowRankLayer#calcRegularizationScore}).
 */
public final class BasisFamilies {

    private BasisFamilies() {
    }

    /** @return the number of layers of {@code net}'s families, now in a family product */
    public static int attach(MultiLayerNetwork net) {
        return set(Arrays.asList(net.getLayers()), true);
    }

    /** @return the number of layers of {@code graph}'s families, now in a family product */
    public static int attach(ComputationGraph graph) {
        return set(Arrays.asList(graph.getLayers()), true);
    }

    /** Puts every NOLA layer of {@code net} on the per-layer path (saved with the network). */
    public static void detach(MultiLayerNetwork net) {
        set(Arrays.asList(net.getLayers()), false);
    }

    /** Puts every NOLA layer of {@code graph} on the per-layer path (saved with the network). */
    public static void detach(ComputationGraph graph) {
        set(Arrays.asList(graph.getLayers()), false);
    }

    private static int set(List<Layer> layers, boolean inFamily) {
        Set<FamilyRoster> rosters = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Layer layer : layers) {
            if (layer instanceof DirectLowRankLayer d && d.layerConf() instanceof NolaLayer conf) {
                conf.setBasisFamilyProduct(inFamily);
                if (d.roster() != null) {
                    rosters.add(d.roster());
                }
            }
        }
        int n = 0;
        for (FamilyRoster roster : rosters) {
            n += roster.form();
        }
        return n;
    }
}
