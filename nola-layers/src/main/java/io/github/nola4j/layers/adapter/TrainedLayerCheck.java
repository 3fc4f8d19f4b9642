package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.api.Layer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Refuses to save an adapter that would not reproduce the network: every layer outside the NOLA
 * layers that trains (a new head, a BatchNorm kept trainable) must be saved in full with it, or a
 * network rebuilt from the base and the file silently differs from the one that was trained.
 *
 * <p>Which parameters train is {@link Trainability#trains(Layer)} (not DL4J's FrozenLayer and
 * FrozenLayerWithBackprop, BatchNorm running statistics or the frozen W and b of NOLA layers).
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
            if (AdaptedNetworkWeight.isAdapterLayer(layer.conf().getLayer()) || extraLayers.contains(name)) {
                continue;
            }
            if (Trainability.trains(layer)) {
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
}
