package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A frozen DL4J {@link BatchNormalization} in inference mode on its running statistics μ, σ²
 * (torchvision's FrozenBatchNorm2d):
 * <pre>
 *   y = (x − μ) ⊙ a + β,  a = γ / sqrt(σ² + eps)      per channel [c]; x, y [mb, c] or [mb, c, h, w] (NCHW) or [mb, h, w, c] (NHWC)
 *   dL/dx = dL/dy ⊙ a                                 one broadcast multiply; never batchnorm_bp
 * </pre>
 * The forward pass is libnd4j's {@code batchnorm} op in inference mode, one pass over x (the folded
 * broadcast multiply and add took two). (γ, β the layer's constants when it locks them.) Equal to
 * DL4J's (x − μ)/sqrt(σ² + eps)·γ + β up to rounding. The statistics are read at every call, so a network whose parameters are set again
 * computes with the new ones.
 */
final class FrozenBatchNorm implements FrozenComputation {

    private final Layer layer;
    private final BatchNormalization conf;

    FrozenBatchNorm(Layer layer) {
        this.layer = layer;
        this.conf = (BatchNormalization) layer.conf().getLayer();
    }

    /** @return true for DL4J's own BatchNormalization layer */
    static boolean supports(Layer inside) {
        return inside.getClass() == org.deeplearning4j.nn.layers.normalization.BatchNormalization.class
                && inside.conf().getLayer().getClass() == BatchNormalization.class;
    }

    private int channelAxis(INDArray x) {
        return x.rank() == 4 && conf.getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
    }

    private void requireRank(INDArray x) {
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException("Frozen BatchNormalization \"" + conf.getLayerName() + "\": input of rank "
                    + x.rank() + " " + java.util.Arrays.toString(x.shape()) + " is not supported; it takes [mb, c] or "
                    + "4-d convolutional activations");
        }
    }

    /** @return a = γ / sqrt(σ² + eps), [c], in {@code like}'s data type */
    private INDArray scale(INDArray like) {
        INDArray variance = BatchNormStatistics.variance(layer);
        INDArray invStd = Transforms.pow(variance.reshape(variance.length()).castTo(like.dataType()).add(conf.getEps()),
                -0.5, false);
        return invStd.muli(gamma(like));
    }

    /** @return γ, [c], in {@code like}'s data type */
    private INDArray gamma(INDArray like) {
        INDArray mean = BatchNormStatistics.mean(layer);
        return conf.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {mean.length()}, conf.getGamma(), like.dataType())
                : layer.getParam(BatchNormalizationParamInitializer.GAMMA).reshape(mean.length()).castTo(like.dataType());
    }

    /** @return β, [c], in {@code like}'s data type */
    private INDArray beta(INDArray like) {
        INDArray mean = BatchNormStatistics.mean(layer);
        return conf.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {mean.length()}, conf.getBeta(), like.dataType())
                : layer.getParam(BatchNormalizationParamInitializer.BETA).reshape(mean.length()).castTo(like.dataType());
    }

    @Override
    public INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr) {
        requireRank(input);
        INDArray x = input.castTo(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).dataType());
        long c = BatchNormStatistics.mean(layer).length();
        INDArray mean = BatchNormStatistics.mean(layer).reshape(c).castTo(x.dataType());
        INDArray variance = BatchNormStatistics.variance(layer).reshape(c).castTo(x.dataType());
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        // libnd4j's batchnorm in inference mode: one pass over x (applyScale, applyOffset, channel axis)
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, mean, variance, gamma(x), beta(x)).addOutputs(y)
                .addIntegerArguments(1, 1, channelAxis(x)).addFloatingPointArguments(conf.getEps()).build());
        return y;
    }

    @Override
    public INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        requireRank(epsilon);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(),
                'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(epsilon, scale(epsilon), dx, channelAxis(epsilon)));
        return dx;
    }
}
