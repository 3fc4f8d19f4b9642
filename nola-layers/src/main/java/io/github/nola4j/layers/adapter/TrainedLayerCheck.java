package io.github.nola4j.layers.adapter;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Refuses to save an adapter that would not reproduce the network: every layer outside the NOLA
 * layers that trains (a new head, a BatchNorm kept trainable) must be saved in full with it, or a
 * network rebuilt from the base and the file silently differs from the one that was trained.
 *
 * <p>A parameter trains unless its layer's updater for it is NoOp (DL4J's FrozenLayer and
 * FrozenLayerWithBackprop, frozen BatchNorm running statistics, the frozen W and b of NOLA layers).
 */
final class TrainedLayerCheck {

    private TrainedLayerCheck() {
    }

    /**
     * @param extraLayers layers the caller saves in full
     * @throws AdapterMismatchException naming the trained layers that are missing and the fix
     */
    static void requireSaved(AdaptedNetwork net, Collection<String> extraLayers) {
        List<String> missing = new ArrayList<>();
        for (String name : net.layerNames()) {
            Layer layer = net.layer(name);
            if (LayerAdapterKind.isAdapterLayer(layer.conf().getLayer()) || extraLayers.contains(name)) {
                continue;
            }
            if (trains(layer)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new AdapterMismatchException("layers " + missing + " train but are not among the layers saved in"
                    + " full " + extraLayers + ", so the saved adapter would not reproduce the network; add them to"
                    + " the extra layers (a new head, trainable BatchNorm), or save through nola-zoo's"
                    + " TransferResult.saveAdapter, which adds them");
        }
    }

    /** @return whether any parameter of {@code layer} has an updater other than NoOp */
    static boolean trains(Layer layer) {
        for (String key : layer.paramTable().keySet()) {
            if (!(layer.conf().getLayer().getUpdaterByParam(key) instanceof NoOp)) {
                return true;
            }
        }
        return false;
    }
}
