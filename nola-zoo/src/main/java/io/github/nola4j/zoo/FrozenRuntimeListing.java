package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which frozen layers of a network run on libnd4j ({@link FrozenComputation}) and which on
 * DL4J's own layer code, for the transfer's log beside its {@link TrainableSummary}.
 */
final class FrozenRuntimeListing {

    private FrozenRuntimeListing() {
    }

    /**
     * @return e.g. "frozen layers on libnd4j: 3 [conv1, bn1, relu1]; on DL4J's layers: 1 [dense]": the frozen
     *         layers that hold parameters, and the parameterless ones that run on libnd4j ({@link FrozenActivation});
     *         an empty string for a network without any
     */
    static String of(Model network) {
        List<String> fast = new ArrayList<>();
        List<String> dl4j = new ArrayList<>();
        for (Map.Entry<String, Layer> e : NetworkEditor.layersOf(network).entrySet()) {
            Layer l = e.getValue();
            boolean onLibnd4j = l instanceof FrozenInferenceRuntime f && f.runsOnLibnd4j()
                    || l instanceof FrozenForwardRuntime g && g.runsOnLibnd4j();
            if (l.numParams() == 0 && !onLibnd4j) {
                continue;
            }
            if (l instanceof FrozenInferenceRuntime || l instanceof FrozenForwardRuntime) {
                (onLibnd4j ? fast : dl4j).add(e.getKey());
            } else if (l instanceof org.deeplearning4j.nn.layers.FrozenLayer
                    || l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
                dl4j.add(e.getKey());
            }
        }
        if (fast.isEmpty() && dl4j.isEmpty()) {
            return "";
        }
        return "frozen layers on libnd4j: " + fast.size() + " " + fast + "; on DL4J's layers: " + dl4j.size() + " "
                + dl4j;
    }
}
