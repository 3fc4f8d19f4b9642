package io.github.nola4j.zoo;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A training listener that checks, after every iteration of every model it is attached to, that
 * the frozen parameters are bit-identical to a reference snapshot. ParallelWrapper hands the same
 * listener instance to each worker's model (it clones only RoutingIterationListeners), so one probe
 * sees every worker; it is therefore thread-safe.
 *
 * <p>Frozen: W and b of every NOLA layer, and every parameter of every other layer except the
 * head. Trainable: α and β of NOLA layers and the head.
 */
final class FrozenParamsProbe extends BaseTrainingListener {

    private final Map<String, byte[]> reference;
    private final String headLayer;
    private final List<String> mismatches = new CopyOnWriteArrayList<>();
    private final Map<Model, Integer> iterationsByModel = new IdentityHashMap<>();

    FrozenParamsProbe(Layer[] layers, String headLayer) {
        this.headLayer = headLayer;
        this.reference = frozenBytes(layers, headLayer);
    }

    /** @return "layerName/key" → raw bytes of every frozen parameter of these layers */
    static Map<String, byte[]> frozenBytes(Layer[] layers, String headLayer) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Layer l : layers) {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            String name = conf.getLayerName();
            if (name.equals(headLayer)) {
                continue;
            }
            boolean nola = conf instanceof NolaLayer;
            for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                String key = e.getKey();
                if (!nola || key.equals(LowRankLayer.WEIGHT_KEY) || key.equals(LowRankLayer.BIAS_KEY)) {
                    out.put(name + "/" + key, e.getValue().dup().data().asBytes());
                }
            }
        }
        return out;
    }

    /** @return the names of the frozen parameters that are checked */
    java.util.Set<String> frozenKeys() {
        return reference.keySet();
    }

    /** Compares these layers with the reference; records and returns the keys that differ. */
    List<String> check(Layer[] layers, String where) {
        Map<String, byte[]> now = frozenBytes(layers, headLayer);
        List<String> bad = new java.util.ArrayList<>();
        if (!now.keySet().equals(reference.keySet())) {
            bad.add(where + ": frozen keys " + now.keySet() + " != " + reference.keySet());
        }
        reference.forEach((k, v) -> {
            if (!Arrays.equals(v, now.get(k))) {
                bad.add(where + ": " + k);
            }
        });
        mismatches.addAll(bad);
        return bad;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        synchronized (iterationsByModel) {
            iterationsByModel.merge(model, 1, Integer::sum);
        }
        check(Fixtures.layersOf(model), "model@" + System.identityHashCode(model) + " iteration " + iteration);
    }

    /** @return every mismatch seen so far */
    List<String> mismatches() {
        return List.copyOf(mismatches);
    }

    /** @return how many iterations were checked per distinct model (each ParallelWrapper worker has one) */
    Map<Model, Integer> iterationsByModel() {
        synchronized (iterationsByModel) {
            return new IdentityHashMap<>(iterationsByModel);
        }
    }
}
