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
    private static final Conv2DConfig POINTWISE_NHWC = new Conv2DConfig(1, 1, 1, 1, 0, 0, 1, 1, PaddingMode.VALID,
            Conv2DConfig.NHWC, WeightsFormat.YXIO);

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
        List<Integer> adapted = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            if (adapters.get(g) != null) {
                adapted.add(g);
            }
        }
        // NHWC convolutions (CNN2DFormat.NHWC) take the per-group path: the stacked paths mask NCHW channels
        boolean nhwc = convolution && Conv2DConfig.NHWC.equals(geometry.getDataFormat());
        boolean stacks = !nhwc && !adapted.isEmpty() && (long) adapted.size() * conf.getRank() <= conf.getNOut();
        if (stacks && convolution && fuses(x, w, geometry)) {
            z = fusedConvolution(x, w, bias, layer, index, conf, geometry, groups, adapters, adapted, factors);
        } else {
            z = frozen(x, w, bias, convolution, geometry);
            if (stacks && adapted.size() > 1) {
                addStacked(z, x, layer, index, conf, geometry, groups, adapters, adapted, factors);
            } else {
                for (int g : adapted) {
                    RowGroups.Group group = groups.get(g);
                    LowRankUpdate u = factors.update(adapters.get(g), index, layer);
                    INDArray xg = rows(x, group);
                    INDArray delta = convolution
                            ? Nd4j.cnn().conv2d(Nd4j.cnn().conv2d(xg, u.aKernel(), geometry), u.bKernel(),
                                    nhwc ? POINTWISE_NHWC : POINTWISE)
                            : Nd4j.gemm(Nd4j.gemm(xg, u.a(), false, false), u.b(), false, false);
                    rows(z, group).addi(delta);
                }
            }
        }
        return conf.getActivation().getActivationFunction().getActivation(z, false);
    }

    /** @return x·W + b or conv(x, W) + b, [mb, nOut] or [mb, nOut, oH, oW] */
    private static INDArray frozen(INDArray x, INDArray w, INDArray bias, boolean convolution, Conv2DConfig geometry) {
        if (convolution) {
            INDArray kernel = w.permute(2, 3, 1, 0);
            return bias == null ? Nd4j.cnn().conv2d(x, kernel, geometry)
                    : Nd4j.cnn().conv2d(x, kernel, bias.reshape(bias.length()), geometry);
        }
        INDArray z = Nd4j.gemm(x, w, false, false);
        if (bias != null) {
            z.addiRowVector(bias);
        }
        return z;
    }

    /**
     * @return whether one convolution with the kernel [W | A_1 … A_G] costs less than two: when the kernel is
     *         larger than 1x1 (so each convolution unfolds its input, kH·kW values per input value) and the copy of
     *         W the fused kernel takes is smaller than the batch's output positions times nOut would save
     */
    private static boolean fuses(INDArray x, INDArray w, Conv2DConfig geometry) {
        long positions = x.size(0) * x.size(2) * x.size(3) / ((long) geometry.getSH() * geometry.getSW());
        return w.size(2) * w.size(3) > 1 && positions >= w.size(0);
    }

    /**
     * The frozen convolution and the G groups' r-channel convolutions as one: the kernel K = [Wᵀ | A_1 … A_G]
     * [fanIn, nOut + G·r] (rows in (nIn, kH, kW) order; held as Kᵀ in W's layout, W copied for this pass, the bias padded with
     * G·r zeros) gives [conv(x, W) + b | h] in one pass over the unfolded input; then z = conv1x1(h ⊙ M, [s·B_g])
     * + (conv(x, W) + b) as {@link #addStacked} computes the thin paths (M is left out when one group holds every row).
     */
    private static INDArray fusedConvolution(INDArray x, INDArray w, INDArray bias, Layer layer, int index,
                                             LowRankLayer conf, Conv2DConfig geometry, List<RowGroups.Group> groups,
                                             List<ResidentAdapter> adapters, List<Integer> adapted,
                                             FactorCache factors) {
        long nOut = w.size(0);
        long fanIn = w.length() / nOut;
        int stackedRank = adapted.size() * conf.getRank();
        // Kᵀ in W's own layout [nOut + G·r, nIn, kH, kW]: W's rows copied as they lie, then each A_gᵀ
        INDArray kt = Nd4j.createUninitialized(w.dataType(), nOut + stackedRank, fanIn);
        BlockCopy.into(kt, 0, 0, w.reshape('c', nOut, fanIn), false);
        INDArray bStack = Nd4j.createUninitialized(w.dataType(), stackedRank, nOut);
        INDArray mask = stack(kt, nOut, true, bStack, x.size(0), layer, index, conf, groups, adapters, adapted,
                factors);
        INDArray aStack = kt.get(NDArrayIndex.interval(nOut, nOut + stackedRank), NDArrayIndex.all()).transpose();
        long[] kernelShape = w.shape().clone();
        kernelShape[0] = nOut + stackedRank;
        INDArray kernel = kt.reshape('c', kernelShape).permute(2, 3, 1, 0);
        INDArray out;
        if (bias == null) {
            out = Nd4j.cnn().conv2d(x, kernel, geometry);
        } else {
            INDArray padded = Nd4j.zeros(w.dataType(), nOut + stackedRank);
            padded.get(NDArrayIndex.interval(0, nOut)).assign(bias.reshape(nOut));
            out = Nd4j.cnn().conv2d(x, kernel, padded, geometry);
        }
        INDArray h = out.get(NDArrayIndex.all(), NDArrayIndex.interval(nOut, nOut + stackedRank), NDArrayIndex.all(),
                NDArrayIndex.all());
        h = h.dup('c');
        if (mask != null) {
            Nd4j.getExecutioner().exec(new BroadcastMulOp(h, mask, h, 0, 1));
        }
        INDArray z = Nd4j.cnn().conv2d(h, new LowRankUpdate(conf.shape(), conf.weightShape(), aStack, bStack).bKernel(),
                POINTWISE);
        return z.addi(out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, nOut), NDArrayIndex.all(),
                NDArrayIndex.all()));
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
        int stackedRank = adapted.size() * conf.getRank();
        LowRankUpdate first = factors.update(adapters.get(adapted.get(0)), index, layer);
        INDArray aStack = Nd4j.createUninitialized(z.dataType(), first.a().size(0), stackedRank);
        INDArray bStack = Nd4j.createUninitialized(z.dataType(), stackedRank, first.b().size(1));
        INDArray rowMask = stack(aStack, 0, false, bStack, x.size(0), layer, index, conf, groups, adapters, adapted,
                factors);
        LowRankUpdate stacked = new LowRankUpdate(conf.shape(), conf.weightShape(), aStack, bStack);
        if (geometry != null) {
            INDArray h = Nd4j.cnn().conv2d(x, stacked.aKernel(), geometry);
            Nd4j.getExecutioner().exec(new BroadcastMulOp(h, rowMask, h, 0, 1));
            z.addi(Nd4j.cnn().conv2d(h, stacked.bKernel(), POINTWISE));
        } else {
            INDArray h = Nd4j.gemm(x, stacked.a(), false, false).muli(rowMask);
            z.addi(Nd4j.gemm(h, stacked.b(), false, false));
        }
    }

    /**
     * Copies the adapted groups' factors side by side ({@link BlockCopy}): A_i into columns [i·r, (i+1)·r) of
     * {@code aTarget} = [fanIn, G·r], or, {@code transposed}, A_iᵀ into rows [aRow0 + i·r, aRow0 + (i+1)·r) of
     * {@code aTarget} = [aRow0 + G·r, fanIn]; and s·B_i into rows [i·r, (i+1)·r) of {@code bStack} [G·r, nOut].
     *
     * @return the row-group mask M [mb, G·r], or null when one group holds all {@code mb} rows (M would be all ones)
     */
    private static INDArray stack(INDArray aTarget, long aRow0, boolean transposed, INDArray bStack, long mb,
                                  Layer layer, int index, LowRankLayer conf, List<RowGroups.Group> groups,
                                  List<ResidentAdapter> adapters, List<Integer> adapted, FactorCache factors) {
        int r = conf.getRank();
        int stackedRank = adapted.size() * r;
        double[] mask = new double[(int) mb * stackedRank];
        boolean allRows = false;
        for (int i = 0; i < adapted.size(); i++) {
            LowRankUpdate u = factors.update(adapters.get(adapted.get(i)), index, layer);
            long channel = (long) i * r;
            if (transposed) {
                BlockCopy.into(aTarget, aRow0 + channel, 0, u.a(), true);
            } else {
                BlockCopy.into(aTarget, 0, channel, u.a(), false);
            }
            BlockCopy.into(bStack, channel, 0, u.b(), false);
            RowGroups.Group g = groups.get(adapted.get(i));
            for (int row = g.start(); row < g.end(); row++) {
                Arrays.fill(mask, row * stackedRank + i * r, row * stackedRank + (i + 1) * r, 1.0);
            }
            allRows = adapted.size() == 1 && g.end() - g.start() == mb;
        }
        return allRows ? null : Nd4j.create(mask, new long[] {mb, stackedRank}, bStack.dataType());
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
