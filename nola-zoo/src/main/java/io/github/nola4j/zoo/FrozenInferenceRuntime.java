package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Runtime of {@link FrozenInferenceLayer}: DL4J's {@link FrozenLayerWithBackprop}, with the exact
 * input gradient of a BatchNormalization layer that runs on its running statistics:
 * <pre>
 *   y = γ ⊙ (x − μ) / sqrt(σ² + eps) + β         (per channel; μ, σ² the running statistics)
 *   dL/dx = dL/dy ⊙ γ / sqrt(σ² + eps)           x, y, dL/dx: [mb, c] or [mb, c, h, w] (NCHW) or NHWC
 * </pre>
 * No parameter receives a gradient.
 */
public class FrozenInferenceRuntime extends FrozenLayerWithBackprop {

    public FrozenInferenceRuntime(Layer insideLayer) {
        super(insideLayer);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!(getInsideLayer() instanceof BatchNormalization bn)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) bn.conf().getLayer();
        INDArray factor = channelFactor(bn, conf, epsilon);
        int channelAxis = epsilon.rank() == 4 && conf.getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                epsilon.shape(), epsilon.ordering());
        Nd4j.getExecutioner().exec(new BroadcastMulOp(epsilon, factor, out, channelAxis));
        return new Pair<>(new DefaultGradient(), out);
    }

    /** @return γ / sqrt(σ² + eps), shape [c] */
    private static INDArray channelFactor(BatchNormalization bn,
                                          org.deeplearning4j.nn.conf.layers.BatchNormalization conf,
                                          INDArray epsilon) {
        INDArray var = BatchNormStatistics.variance(bn);
        INDArray invStd = Transforms.pow(var.add(conf.getEps()), -0.5, false);
        INDArray gamma = conf.isLockGammaBeta() ? Nd4j.valueArrayOf(invStd.shape(), conf.getGamma(), invStd.dataType())
                : bn.getParam(BatchNormalizationParamInitializer.GAMMA);
        return invStd.mul(gamma).reshape(invStd.length()).castTo(epsilon.dataType());
    }
}
