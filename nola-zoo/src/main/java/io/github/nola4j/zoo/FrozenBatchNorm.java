package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.BatchNormStatistics;
import io.github.nola4j.layers.ops.ParameterSnapshot;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
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
 * DL4J's (x − μ)/sqrt(σ² + eps)·γ + β up to rounding. The per-channel constants μ, σ², γ, β and a are
 * kept (outside the workspaces) and read again when the layer's parameters change, which a comparison of
 * the parameters' bits with a {@link ParameterSnapshot} per call detects (no ND4J operation; σ² from
 * log-std statistics took two ops per call, a four), so a network whose parameters are set again, or
 * written in place, computes with the new ones.
 */
final class FrozenBatchNorm implements FrozenComputation {

    private final Layer layer;
    private final BatchNormalization conf;
    /** μ, σ², γ, β, a [c] in {@link #keptType}, read from the parameters {@link #keptFrom} holds. */
    private INDArray[] kept;
    private DataType keptType;
    private ParameterSnapshot keptFrom;

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

    /** @return μ, σ², γ, β and a = γ / sqrt(σ² + eps), each [c] in data type {@code dt} */
    private INDArray[] constants(DataType dt) {
        INDArray params = layer.params();
        if (kept == null || keptType != dt || !keptFrom.matches(params)) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray statisticsMean = BatchNormStatistics.mean(layer);
                long c = statisticsMean.length();
                INDArray mean = statisticsMean.reshape(c).castTo(dt).dup();
                INDArray variance = BatchNormStatistics.variance(layer).reshape(c).castTo(dt).dup();
                INDArray gamma = conf.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {c}, conf.getGamma(), dt)
                        : layer.getParam(BatchNormalizationParamInitializer.GAMMA).reshape(c).castTo(dt).dup();
                INDArray beta = conf.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {c}, conf.getBeta(), dt)
                        : layer.getParam(BatchNormalizationParamInitializer.BETA).reshape(c).castTo(dt).dup();
                INDArray a = Transforms.pow(variance.add(conf.getEps()), -0.5, false).muli(gamma);
                kept = new INDArray[] {mean, variance, gamma, beta, a};
            }
            keptType = dt;
            keptFrom = ParameterSnapshot.of(params);
        }
        return kept;
    }

    @Override
    public INDArray activate(INDArray input, boolean keepForBackprop, LayerWorkspaceMgr workspaceMgr) {
        requireRank(input);
        INDArray x = input.castTo(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).dataType());
        INDArray[] k = constants(x.dataType());
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        // libnd4j's batchnorm in inference mode: one pass over x (applyScale, applyOffset, channel axis)
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, k[0], k[1], k[2], k[3]).addOutputs(y)
                .addIntegerArguments(1, 1, channelAxis(x)).addFloatingPointArguments(conf.getEps()).build());
        return y;
    }

    @Override
    public INDArray inputGradient(INDArray input, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        requireRank(epsilon);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(),
                'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(epsilon, constants(epsilon.dataType())[4], dx,
                channelAxis(epsilon)));
        return dx;
    }
}
