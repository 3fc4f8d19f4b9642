package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The former name of {@link FrozenInferenceLayer}, kept so that networks saved with it (DL4J writes
 * the class name into network JSON) still load; they behave exactly as a {@link FrozenInferenceLayer}.
 *
 * @deprecated the name read like DL4J's {@code FrozenLayerWithBackprop}: use {@link FrozenInferenceLayer}
 */
@Deprecated
public class FrozenBackpropLayer extends FrozenInferenceLayer {

    public FrozenBackpropLayer(@JsonProperty("layer") Layer layer) {
        super(layer);
    }

    @Override
    public Layer clone() {
        return new FrozenBackpropLayer(getUnderlying().clone());
    }
}
