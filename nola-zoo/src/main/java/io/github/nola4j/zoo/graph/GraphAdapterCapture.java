package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.BaseFingerprint;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.basis.BasisGenerator;
import io.github.nola4j.zoo.AdapterKind;
import io.github.nola4j.zoo.AdapterSpec;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An adapted graph's adapter as an {@link Adapter}, the in-memory form of the layers' adapter files: one
 * {@link LayerAdapter} per adapted weight, keyed by W's variable name, in graph order:
 * <pre>
 *   name = W's name   type = "SameDiff:" + layout (e.g. "SameDiff:DENSE_TRANSPOSED")   bias = false
 *   weight_shape = W in the layers' layout ({@link WeightLayout#layersShape}): [fanIn, nOut] or [nOut, nIn, kH, kW]
 *   NOLA: r, k, l, s, basis seed; alpha = α [k], beta = β [l] (parametrisation of NolaLayer)
 *   LoRA: kind "lora", k = fanIn·r, l = r·nOut; alpha = A [fanIn, r], beta = B [r, nOut] in C order
 * </pre>
 * with the base fingerprint of the frozen W ({@link BaseFingerprint#ofWeights}) and the graph transfer's settings
 * ({@link GraphTransferSettings}) as the transfer JSON. Values are stored as binary32.
 */
final class GraphAdapterCapture {

    /** Prefix of a graph weight's "type"; the rest is its {@link WeightLayout}. */
    static final String TYPE_PREFIX = "SameDiff:";

    private GraphAdapterCapture() {
    }

    /** @return the fingerprint of the adapted weights' current values in {@code sd}, in graph order */
    static String fingerprint(SameDiff sd, List<AdaptedWeight> weights) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (AdaptedWeight w : weights) {
            values.put(w.name(), sd.getVariable(w.name()).getArr());
        }
        return BaseFingerprint.ofWeights(values);
    }

    /** @return the current adapter of {@code result}'s graph, named {@code task} */
    static Adapter capture(GraphTransferResult result, String task) {
        SameDiff sd = result.sameDiff();
        List<LayerAdapter> layers = result.adaptedWeights().stream().map(w -> entry(w,
                floats(sd.getVariable(w.trainableVariables().get(0)).getArr()),
                floats(sd.getVariable(w.trainableVariables().get(1)).getArr()))).toList();
        return new Adapter(task, BasisGenerator.ID, BasisGenerator.VERSION, result.baseFingerprint(), layers,
                List.of(), GraphTransferSettings.of(result).toJson());
    }

    /** @return the entry of {@code w} with these values (zeros for a configuration-only entry) */
    static LayerAdapter entry(AdaptedWeight w, float[] first, float[] second) {
        AdapterSpec s = w.spec();
        boolean nola = s.kind() == AdapterKind.NOLA;
        return new LayerAdapter(w.name(), TYPE_PREFIX + w.layout().name(), w.layout().layersShape(w.shape()), false,
                s.rank(), first.length, second.length, s.scale(), s.basisSeed(), first, second,
                nola ? LayerAdapterKind.NOLA : LayerAdapterKind.LORA);
    }

    /** @return the configuration of {@code w}'s entry, with zero values of the right counts */
    static LayerAdapter configOf(AdaptedWeight w) {
        AdapterSpec s = w.spec();
        boolean nola = s.kind() == AdapterKind.NOLA;
        long k = nola ? s.numBasesA() : w.fanIn() * s.rank();
        long l = nola ? s.numBasesB() : s.rank() * w.nOut();
        return entry(w, new float[(int) k], new float[(int) l]);
    }

    /** @return the values of {@code array} in C order as binary32 */
    static float[] floats(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
