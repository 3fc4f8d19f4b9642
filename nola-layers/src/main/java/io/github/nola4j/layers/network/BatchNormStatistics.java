package io.github.nola4j.layers.network;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The one encoding of a BatchNormalization layer's running statistics (mean μ, variance σ², each
 * [c] per channel) in DL4J's stored parameters, which depends on the layer's {@code useLogStd}:
 * <pre>
 *   useLogStd = false:  "mean" = μ,  "var" = σ²
 *   useLogStd = true:   "mean" = μ,  "log10stdev" = log10 √(σ² + eps)
 * </pre>
 * and its inverse as DL4J 1.0.0-M2.1's BatchNormalization runtime reads it for inference:
 * {@code var}, or v = (10^log10stdev)², after which DL4J normalises with √(v + eps). So with
 * {@code useLogStd} the variance read back is σ² + eps, and eps counts twice, exactly as in DL4J.
 */
public final class BatchNormStatistics {

    private BatchNormStatistics() {
    }

    /**
     * Writes running statistics into {@code layer}'s parameter views (the network's flat parameters).
     *
     * @param layer    a BatchNormalization layer (runtime)
     * @param mean     μ, c values in any shape
     * @param variance biased σ², c values in any shape
     * @throws IllegalArgumentException when {@code layer} is not a BatchNormalization layer
     */
    public static void set(Layer layer, INDArray mean, INDArray variance) {
        BatchNormalization bn = config(layer);
        assign(layer, BatchNormalizationParamInitializer.GLOBAL_MEAN, mean);
        if (bn.isUseLogStd()) {
            assign(layer, BatchNormalizationParamInitializer.GLOBAL_LOG_STD,
                    Transforms.log(Transforms.sqrt(variance.add(bn.getEps())), 10.0));
        } else {
            assign(layer, BatchNormalizationParamInitializer.GLOBAL_VAR, variance);
        }
    }

    /**
     * @param layer a BatchNormalization layer (runtime)
     * @return the variance DL4J's inference forward adds eps to, in the parameters' shape: the stored
     *         "var" (a view), or (10^log10stdev)² (a new array)
     * @throws IllegalArgumentException when {@code layer} is not a BatchNormalization layer
     */
    public static INDArray variance(Layer layer) {
        if (config(layer).isUseLogStd()) {
            INDArray log10Std = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray std = Transforms.pow(Nd4j.valueArrayOf(log10Std.shape(), 10.0, log10Std.dataType()), log10Std);
            return std.mul(std);
        }
        return layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
    }

    /** @return the stored running mean μ (a view) of a BatchNormalization layer */
    public static INDArray mean(Layer layer) {
        config(layer);
        return layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
    }

    private static BatchNormalization config(Layer layer) {
        if (layer.conf() != null && layer.conf().getLayer() instanceof BatchNormalization bn) {
            return bn;
        }
        String what = layer.conf() == null ? layer.getClass().getSimpleName()
                : layer.conf().getLayer().getClass().getSimpleName() + " \"" + layer.conf().getLayer().getLayerName() + "\"";
        throw new IllegalArgumentException("layer " + what + " is not a BatchNormalization layer, so it has no running"
                + " statistics; pass the BatchNormalization layer itself (not a wrapper around it)");
    }

    /** Writes into the parameter's view of the flat parameter vector, keeping its shape and data type. */
    private static void assign(Layer layer, String key, INDArray values) {
        INDArray param = layer.getParam(key);
        param.assign(values.castTo(param.dataType()).reshape(param.shape()));
    }
}
