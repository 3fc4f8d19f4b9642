package io.github.nola4j.layers.network;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Set;

/**
 * The one rule for "does this parameter train": the transfer's freezing, input-gradient skipping,
 * the adapter's trained-layer check, the trainable summary and nola-spark's parameter vector all
 * ask here.
 *
 * <pre>
 *   trains(layer, key)      = !frozenLayer(layer) ∧ u ≠ null ∧ u ∉ NoOp,   u = layer's getUpdaterByParam(key)
 *   changesInFit(layer, key) = trains(layer, key)
 *                             ∨ (!frozenLayer(layer) ∧ key ∈ {mean, var, log10stdev} of a BatchNormalization
 *                                with decay &lt; 1)
 * </pre>
 *
 * Why, from DL4J 1.0.0-M2.1 ({@code BaseMultiLayerUpdater}, {@code UpdaterBlock}):
 * <ul>
 *   <li>{@code NoOp}: the updater leaves the gradient as it is and the step subtracts it; DL4J's
 *       frozen layers and the low-rank layers' W and b pair NoOp with a zero gradient, so they never
 *       move. (BatchNorm's running statistics pair NoOp with a "gradient" that is the decayed
 *       update itself: they move in fit without training, hence {@link #changesInFit}.)</li>
 *   <li>{@code null}: the updater's constructor checks
 *       {@code Preconditions.checkNotNull(u, "Updater for parameter %s, layer \"%s\" was null")}, so
 *       a network with such a parameter cannot fit at all; the parameter never changes in fit.
 *       (A network built through {@code NeuralNetConfiguration} gives every layer with parameters
 *       the global updater, Sgd by default, so null only comes from an unconfigured layer.)</li>
 *   <li>DL4J's {@code FrozenLayer} and {@code FrozenLayerWithBackprop} (which nola-zoo's frozen
 *       layers extend) report NoOp and run their inner layer in inference mode.</li>
 * </ul>
 */
public final class Trainability {

    private static final Set<String> BATCH_NORM_STATISTICS = Set.of(BatchNormalizationParamInitializer.GLOBAL_MEAN,
            BatchNormalizationParamInitializer.GLOBAL_VAR, BatchNormalizationParamInitializer.GLOBAL_LOG_STD);

    private Trainability() {
    }

    /** @return the updater that freezes a parameter (no state, the zero gradient leaves it as it is) */
    public static IUpdater frozenUpdater() {
        return new NoOp();
    }

    /** @return true when {@code updater} never trains a parameter: null (fit refuses the network) or NoOp */
    public static boolean freezes(IUpdater updater) {
        return updater == null || updater instanceof NoOp;
    }

    /** @return true for DL4J's frozen wrappers, as a runtime layer or as its configuration */
    public static boolean isFrozenLayer(Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf() == null ? null : layer.conf().getLayer();
        return layer instanceof org.deeplearning4j.nn.layers.FrozenLayer
                || layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop
                || conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer
                || conf instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
    }

    /** @return true when fit() trains parameter {@code key} of {@code layer} from the loss */
    public static boolean trains(Layer layer, String key) {
        return !isFrozenLayer(layer) && !freezes(layer.conf().getLayer().getUpdaterByParam(key));
    }

    /** @return true when some parameter of {@code layer} trains; false for a layer without parameters */
    public static boolean trains(Layer layer) {
        if (layer.numParams() == 0 || isFrozenLayer(layer)) {
            return false;
        }
        for (String key : layer.paramTable().keySet()) {
            if (trains(layer, key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when fit() changes parameter {@code key} of {@code layer}: it trains, or it is a
     *         running statistic of a BatchNormalization layer that is not frozen and decays (decay &lt; 1)
     */
    public static boolean changesInFit(Layer layer, String key) {
        if (trains(layer, key)) {
            return true;
        }
        return !isFrozenLayer(layer) && layer.conf().getLayer() instanceof BatchNormalization bn
                && BATCH_NORM_STATISTICS.contains(key) && bn.getDecay() < 1.0;
    }
}
