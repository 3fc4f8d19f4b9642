package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.ops.ConvOperation;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The inference pass of one NOLA or LoRA layer over a batch whose row groups use different adapters:
 * <pre>
 *   dense          z = x·W + b                                once for the whole batch [mb, nOut]
 *                  z[g] += (x[g]·A_t)·(s·B_t)                 per group g of adapter t
 *   convolution    z = conv(x, W) + b                         once, the layer's geometry, [mb, nOut, oH, oW]
 *                  z[g] += conv1x1(conv_r(x[g], A_t), s·B_t)  per group: an r-channel convolution, then 1x1
 *                  (several groups while G·r ≤ nOut: stacked, {@link #addStacked})
 *   y = act(z)
 * </pre>
 * Rows of the base (a null adapter) get no low-rank term, i.e. ΔW = 0 exactly. The factors and their
 * kernel layouts come from {@link LowRankUpdate}; the frozen kernel W [nOut, nIn, kH, kW] is read as libnd4j's
 * YXIO [kH, kW, nIn, nOut] view. W and b are only read.
 */
final class LowRankForward {

    /** 1x1, stride 1, unpadded: the s·B half of the factorised convolution. */
    private static final Conv2DConfig POINTWISE = new Conv2DConfig(1, 1, 1, 1, 0, 0, 1, 1, PaddingMode.VALID,
            Conv2DConfig.NCHW, WeightsFormat.YXIO);

    private LowRankForward() {
    }

    /**
     * @param layer    the shared layer (W and b read, never written)
     * @param index    its position among the adapter layers
     * @param x        its input, rows in gathered order ({@link RowGroups})
     * @param groups   the row groups
     * @param adapters the adapter of each group, null for the base
     * @return act(z), [mb, nOut] or [mb, nOut, oH, oW]
     */
    static INDArray forward(Layer layer, int index, INDArray x, List<RowGroups.Group> groups,
                            List<ResidentAdapter> adapters, FactorCache factors) {
        LowRankLayer conf = (LowRankLayer) layer.conf().getLayer();
        x = x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
        INDArray w = layer.getParam(LowRankLayer.WEIGHT_KEY);
        INDArray bias = conf.hasBias() ? layer.getParam(LowRankLayer.BIAS_KEY) : null;
        boolean convolution = conf.shape() instanceof ConvOperation;
        Conv2DConfig geometry = convolution ? ((ConvOperation) conf.shape()).conv2dConfig() : null;
        INDArray z;
        if (convolution) {
            INDArray kernel = w.permute(2, 3, 1, 0);
            z = bias == null ? Nd4j.cnn().conv2d(x, kernel, geometry)
                    : Nd4j.cnn().conv2d(x, kernel, bias.reshape(bias.length()), geometry);
        } else {
            z = Nd4j.gemm(x, w, false, false);
            if (bias != null) {
                z.addiRowVector(bias);
            }
        }
        List<Integer> adapted = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            if (adapters.get(g) != null) {
                adapted.add(g);
            }
        }
        if (adapted.size() > 1 && (long) adapted.size() * conf.getRank() <= conf.getNOut()) {
            addStacked(z, x, layer, index, conf, geometry, groups, adapters, adapted, factors);
        } else {
            for (int g : adapted) {
                RowGroups.Group group = groups.get(g);
                LowRankUpdate u = factors.update(adapters.get(g), index, layer);
                INDArray xg = rows(x, group);
                INDArray delta = convolution
                        ? Nd4j.cnn().conv2d(Nd4j.cnn().conv2d(xg, u.aKernel(), geometry), u.bKernel(), POINTWISE)
                        : Nd4j.gemm(Nd4j.gemm(xg, u.a(), false, false), u.b(), false, false);
                rows(z, group).addi(delta);
            }
        }
        return conf.getActivation().getActivationFunction().getActivation(z, false);
    }

    /**
     * The thin paths of G adapter groups in three operations instead of 2G: h = x·[A_1 … A_G] (convolution: one
     * G·r-channel convolution) over the whole batch, h ⊙ M with M[row, channels of group g] = 1 for the rows of
     * group g and 0 elsewhere, then z += h·[s·B_1; …; s·B_G] (a 1x1 convolution). Each row gets exactly its own
     * adapter's term (the others are multiplied by 0). Used while G·r ≤ nOut, so the extra r-channel work on
     * other groups' rows costs at most as much as the frozen product. The factors are copied into one [fanIn, G·r]
     * and one [G·r, nOut] array made for the pass (ND4J's {@code concat} of a few small arrays cost more than the
     * layer's convolutions) and the mask is made from a Java array in one copy.
     */
    private static void addStacked(INDArray z, INDArray x, Layer layer, int index, LowRankLayer conf,
                                   Conv2DConfig geometry, List<RowGroups.Group> groups, List<ResidentAdapter> adapters,
                                   List<Integer> adapted, FactorCache factors) {
        int r = conf.getRank();
        int stackedRank = adapted.size() * r;
        INDArray aStack = null;
        INDArray bStack = null;
        double[] mask = new double[(int) x.size(0) * stackedRank];
        for (int i = 0; i < adapted.size(); i++) {
            LowRankUpdate u = factors.update(adapters.get(adapted.get(i)), index, layer);
            if (aStack == null) {
                aStack = Nd4j.createUninitialized(z.dataType(), u.a().size(0), stackedRank);
                bStack = Nd4j.createUninitialized(z.dataType(), stackedRank, u.b().size(1));
            }
            INDArrayIndex channels = NDArrayIndex.interval((long) i * r, (long) (i + 1) * r);
            aStack.get(NDArrayIndex.all(), channels).assign(u.a());
            bStack.get(channels, NDArrayIndex.all()).assign(u.b());
            RowGroups.Group g = groups.get(adapted.get(i));
            for (int row = g.start(); row < g.end(); row++) {
                Arrays.fill(mask, row * stackedRank + i * r, row * stackedRank + (i + 1) * r, 1.0);
            }
        }
        LowRankUpdate stacked = new LowRankUpdate(conf.shape(), conf.weightShape(), aStack, bStack);
        INDArray rowMask = Nd4j.create(mask, new long[] {x.size(0), stackedRank}, z.dataType());
        if (geometry != null) {
            INDArray h = Nd4j.cnn().conv2d(x, stacked.aKernel(), geometry);
            Nd4j.getExecutioner().exec(new BroadcastMulOp(h, rowMask, h, 0, 1));
            z.addi(Nd4j.cnn().conv2d(h, stacked.bKernel(), POINTWISE));
        } else {
            INDArray h = Nd4j.gemm(x, stacked.a(), false, false).muli(rowMask);
            z.addi(Nd4j.gemm(h, stacked.b(), false, false));
        }
    }

    /** @return the view of {@code a}'s rows [start, end) */
    static INDArray rows(INDArray a, RowGroups.Group group) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(group.start(), group.end());
        for (int d = 1; d < idx.length; d++) {
            idx[d] = NDArrayIndex.all();
        }
        return a.get(idx);
    }
}
