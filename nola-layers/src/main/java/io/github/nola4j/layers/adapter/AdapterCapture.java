package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.basis.BasisGenerator;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Reads the adapter out of an adapted network: one entry per adapted weight ({@link AdaptedNetworkWeight}): α and β of
 * every NOLA layer and adapted attention projection, A and B of every LoRA layer ({@link LayerAdapterKind}), plus every
 * parameter of the extra layers the caller names (a new head, BatchNorm layers that trained).
 * Values are taken as binary32; a double network loses precision beyond that.
 */
public final class AdapterCapture {

    private AdapterCapture() {
    }

    /**
     * @param net         the adapted network, not merged
     * @param task        free-form task name recorded in the file
     * @param extraLayers names of layers whose parameters are saved in full; none may be an adapter layer
     * @throws AdapterMismatchException if an extra layer does not exist or is an adapter layer
     */
    public static Adapter capture(AdaptedNetwork net, String task, Collection<String> extraLayers) {
        List<LayerAdapter> layers = new ArrayList<>();
        for (AdaptedNetworkWeight weight : net.adaptedWeights()) {
            layers.add(weight.capture());
        }
        List<ExtraTensor> extras = new ArrayList<>();
        for (String name : new LinkedHashSet<>(extraLayers)) {
            Layer layer = net.requireLayer(name, "extra layer to save in full");
            if (AdaptedNetworkWeight.isAdapterLayer(layer.conf().getLayer())) {
                throw new AdapterMismatchException("extra layer \"" + name + "\" is a NOLA or LoRA layer or an"
                        + " attention adapter, whose"
                        + " adapter is already saved; saving it in full would copy the frozen base. Remove it from"
                        + " the extra layers");
            }
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray v = p.getValue();
                extras.add(new ExtraTensor(name, p.getKey(), v.shape(), AdaptedNetwork.toFloatC(v)));
            }
        }
        return new Adapter(task == null ? "" : task, BasisGenerator.ID, BasisGenerator.VERSION, net.fingerprint(),
                layers, extras);
    }
}
