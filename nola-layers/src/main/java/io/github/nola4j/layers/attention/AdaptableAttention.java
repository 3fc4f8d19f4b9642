package io.github.nola4j.layers.attention;

import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;

import java.util.Optional;

/**
 * Which of DL4J's attention layers a {@link NolaAttention} can wrap: {@link SelfAttentionLayer} and
 * {@link RecurrentAttentionLayer} (exactly these classes) built with {@code projectInput = true}.
 * {@link LearnedSelfAttentionLayer} is refused with the measured reason: its own forward pass fails in
 * DL4J 1.0.0-M2.1.
 */
public final class AdaptableAttention {

    private AdaptableAttention() {
    }

    /**
     * @return why {@code layer} cannot be wrapped (its type, or no projections to adapt), or empty when it can
     */
    public static Optional<String> whyNot(Layer layer) {
        boolean projects;
        if (layer != null && layer.getClass() == SelfAttentionLayer.class) {
            projects = ((SelfAttentionLayer) layer).isProjectInput();
        } else if (layer != null && layer.getClass() == LearnedSelfAttentionLayer.class) {
            return Optional.of("DL4J 1.0.0-M2.1's LearnedSelfAttentionLayer fails in its own forward pass (it tiles the"
                    + " learned queries Q with scatter_update(onesLike(shape), 0, batchSize), which libnd4j rejects for a"
                    + " scalar index), so there is no working base to adapt; a SelfAttentionLayer or"
                    + " RecurrentAttentionLayer can be adapted");
        } else if (layer != null && layer.getClass() == RecurrentAttentionLayer.class) {
            projects = ((RecurrentAttentionLayer) layer).isProjectInput();
        } else {
            return Optional.of("its type " + (layer == null ? null : layer.getClass().getSimpleName()) + " is not one of"
                    + " DL4J's attention layers (SelfAttentionLayer, LearnedSelfAttentionLayer, RecurrentAttentionLayer)");
        }
        return projects ? Optional.empty() : Optional.of("it has projectInput = false, so no projection weights"
                + " (Wq, Wk, Wv, Wo) to adapt");
    }

}
