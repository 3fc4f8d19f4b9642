package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.NolaLayer;
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
 * Reads the adapter out of an adapted network: α and β of every NOLA layer, A and B of every
 * LoRA layer ({@link LayerAdapterKind}), plus every
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
        for (Layer layer : net.adapterLayers()) {
            layers.add(capture(layer));
        }
        List<ExtraTensor> extras = new ArrayList<>();
        for (String name : new LinkedHashSet<>(extraLayers)) {
            Layer layer = net.requireLayer(name, "extra layer to save in full");
            if (LayerAdapterKind.isAdapterLayer(layer.conf().getLayer())) {
                throw new AdapterMismatchException("extra layer \"" + name + "\" is a NOLA or LoRA layer, whose"
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

    /**
     * @return the configuration and current coefficients of one NOLA layer, the coefficients in
     * {@link NolaLayer#PARAMETRISATION} (converted from the layer's, if it is older); of a LoRA
     * layer, its A and B in C order
     */
    static LayerAdapter capture(Layer layer) {
        LayerAdapter conf = configuration(layer);
        LayerAdapterKind kind = conf.kind();
        float[] first = AdaptedNetwork.toFloatC(layer.getParam(kind.firstKey()));
        float[] second = AdaptedNetwork.toFloatC(layer.getParam(kind.secondKey()));
        if (kind == LayerAdapterKind.NOLA) {
            NolaLayer nola = AdaptedNetwork.configOf(layer);
            NolaFactors.convertCoefficients(first, second, nola.getParametrisation(), NolaLayer.PARAMETRISATION,
                    nola.fanIn());
        }
        return conf.withCoefficients(first, second);
    }

    /**
     * @return the configuration of one NOLA or LoRA layer with zero coefficients: what an adapter's entry is
     *         checked against ({@link AdapterChecks#requireCompatible}), without copying the layer's values
     */
    static LayerAdapter configuration(Layer layer) {
        if (layer.conf().getLayer() instanceof LoraLayer lora) {
            int a = (int) layer.getParam(LoraLayer.A_KEY).length();
            int b = (int) layer.getParam(LoraLayer.B_KEY).length();
            return new LayerAdapter(AdaptedNetwork.nameOf(layer), lora.getClass().getSimpleName(),
                    layer.getParam(LoraLayer.WEIGHT_KEY).shape(), lora.hasBias(), lora.getRank(), a, b,
                    lora.getScale(), lora.getInitSeed(), new float[a], new float[b], LayerAdapterKind.LORA);
        }
        NolaLayer conf = AdaptedNetwork.configOf(layer);
        return new LayerAdapter(AdaptedNetwork.nameOf(layer), conf.getClass().getSimpleName(),
                layer.getParam(NolaLayer.WEIGHT_KEY).shape(), conf.hasBias(), conf.getRank(), conf.getNumBasesA(),
                conf.getNumBasesB(), conf.getScale(), conf.effectiveBasisSeed(), new float[conf.getNumBasesA()],
                new float[conf.getNumBasesB()]);
    }
}
