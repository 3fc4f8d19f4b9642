package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.AdapterPayload;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks an adapter against a network and copies it in. Everything is validated first
 * ({@link #plan}); only then is anything assigned, so on any exception the network is unchanged.
 *
 * <p>Checks, in order: basis generator id and version; the adapter's layers are exactly the
 * network's adapted weights ({@link AdaptedNetworkWeight}, by name); per layer the type, W shape, bias, r, k, l, s and basis seed;
 * every coefficient finite; every extra tensor names an existing non-NOLA layer parameter of the
 * same shape and is finite; the base fingerprint (unless {@link LoadOptions#allowDifferentBase()}).
 */
public final class AdapterApplier {

    private AdapterApplier() {
    }

    /**
     * Validates {@code adapter} against {@code net} and copies it in.
     *
     * @throws AdapterMismatchException if it does not fit; the network is then unchanged
     * @throws AdapterFormatException   if a value is not finite; the network is then unchanged
     */
    public static void apply(AdaptedNetwork net, Adapter adapter, LoadOptions options) {
        plan(net, adapter, options).apply();
    }

    /**
     * Validates {@code adapter} against {@code net} without changing the network.
     *
     * @return the assignments that {@link AdapterPlan#apply()} makes
     */
    public static AdapterPlan plan(AdaptedNetwork net, Adapter adapter, LoadOptions options) {
        List<AdapterPlan.Assignment> out = new ArrayList<>();
        for (CheckedTensor t : check(net, adapter, options)) {
            out.add(AdapterChecks.assignment(t.id(), t.target(), t.values()));
        }
        return new AdapterPlan(adapter, out);
    }

    /**
     * One validated value of an adapter, not yet an array: what {@link #plan} turns into an assignment, and what a
     * reader that keeps many adapters packs into one buffer.
     *
     * @param id     "layer/key"
     * @param target the network's parameter it replaces (its shape and data type; only read)
     * @param values its values in C order, converted to the layer's parametrisation
     */
    public record CheckedTensor(String id, INDArray target, float[] values) {
    }

    /**
     * Every check of {@link #plan} without making an array: the layers' configurations are compared without
     * copying the network's values, and the base fingerprint is the one {@code net} computed once.
     *
     * @return every coefficient tensor (per adapter layer, in network order: first, second), then every extra tensor
     * @throws AdapterMismatchException if it does not fit
     * @throws AdapterFormatException   if a value is not finite
     */
    public static List<CheckedTensor> check(AdaptedNetwork net, Adapter adapter, LoadOptions options) {
        Objects.requireNonNull(options, "options: use LoadOptions.STRICT");
        AdapterChecks.requireGenerator(adapter);
        List<CheckedTensor> out = new ArrayList<>();
        Map<String, LayerAdapter> byName = AdapterChecks.entriesByName(adapter, "layer");
        List<String> names = net.adaptedWeights().stream().map(AdaptedNetworkWeight::name).toList();
        if (!byName.keySet().equals(new HashSet<>(names))) {
            throw new AdapterMismatchException("adapter \"" + adapter.task() + "\" has layers " + byName.keySet()
                    + " but the network's NOLA layers are " + names + "; load it onto the network it was trained"
                    + " for (same layer names)");
        }
        for (AdaptedNetworkWeight weight : net.adaptedWeights()) {
            LayerAdapter la = byName.get(weight.name());
            AdapterChecks.requireCompatible(la, weight.configuration(), "layer", "network",
                    "build the NOLA layer with the adapter's configuration");
            float[] alpha = la.alpha().clone();
            float[] beta = la.beta().clone();
            weight.fromFileParametrisation(alpha, beta);
            String prefix = AdaptedNetwork.nameOf(weight.layer()) + "/";
            out.add(new CheckedTensor(prefix + weight.firstKey(), weight.first(), alpha));
            out.add(new CheckedTensor(prefix + weight.secondKey(), weight.second(), beta));
        }
        Set<String> seen = new HashSet<>();
        for (ExtraTensor t : adapter.extraTensors()) {
            if (!seen.add(t.id())) {
                throw new AdapterMismatchException("extra tensor " + t.id() + " appears twice in adapter \""
                        + adapter.task() + "\"; each parameter may be saved once");
            }
            out.add(extra(net, t));
        }
        AdapterChecks.requireBase(adapter, net.fingerprint(), options, "network");
        return out;
    }

    private static CheckedTensor extra(AdaptedNetwork net, ExtraTensor t) {
        Layer layer = net.requireLayer(t.layer(), "extra tensor " + t.id());
        if (AdaptedNetworkWeight.isAdapterLayer(layer.conf().getLayer())) {
            throw new AdapterMismatchException("extra tensor " + t.id() + " targets a NOLA or LoRA layer or an"
                    + " attention adapter, whose W and b are"
                    + " the frozen base; an adapter may not overwrite them");
        }
        INDArray target = layer.paramTable().get(t.param());
        if (target == null) {
            throw new AdapterMismatchException("extra tensor " + t.id() + ": layer \"" + t.layer() + "\" has no"
                    + " parameter \"" + t.param() + "\"; its parameters are " + layer.paramTable().keySet());
        }
        if (!Arrays.equals(target.shape(), t.shape())) {
            throw new AdapterMismatchException("extra tensor " + t.id() + " has shape " + Arrays.toString(t.shape())
                    + " but the network's is " + Arrays.toString(target.shape()) + "; use a network whose layer \""
                    + t.layer() + "\" has the adapter's shape (e.g. the same number of classes)");
        }
        AdapterPayload.requireFinite(t.id(), t.values());
        return new CheckedTensor(t.id(), target, t.values());
    }
}
