package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.ops.ConvOperation;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;
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
 *                  (several groups while G·r ≤ nOut: dense stacked, {@link #addStacked}; a kernel larger than
 *                  1x1 one convolution [W | A_1 … A_G], then each row's own s·B_t, {@link #fusedConvolution})
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
        boolean nhwc = convolution && Conv2DConfig.NHWC.equals(geometry.getDataFormat());
        boolean stacks = !adapted.isEmpty() && (long) adapted.size() * conf.getRank() <= conf.getNOut();
        if (stacks && convolution && fuses(x, w, geometry, nhwc)) {
            z = fusedConvolution(x, w, bias, layer, index, conf, nhwc, groups, adapters, adapted, factors);
        } else {
            z = frozen(x, w, bias, conf);
            if (stacks && adapted.size() > 1) {
                addStacked(z, x, layer, index, conf, geometry, nhwc, groups, adapters, adapted, factors);
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

    /** @return x·W + b or conv(x, W) + b ({@link ConvOperation#convolve}), [mb, nOut] or [mb, nOut, oH, oW] */
    private static INDArray frozen(INDArray x, INDArray w, INDArray bias, LowRankLayer conf) {
        if (conf.shape() instanceof ConvOperation conv) {
            return conv.convolve(x, w, bias);
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
    private static boolean fuses(INDArray x, INDArray w, Conv2DConfig geometry, boolean nhwc) {
        int height = nhwc ? 1 : 2;
        long positions = x.size(0) * x.size(height) * x.size(height + 1)
                / ((long) geometry.getSH() * geometry.getSW());
        return w.size(2) * w.size(3) > 1 && positions >= w.size(0);
    }

    /**
     * The frozen convolution and the G groups' r-channel convolutions as one: the kernel K = [Wᵀ | A_1 … A_G]
     * [fanIn, nOut + G·r] (rows in (nIn, kH, kW) order; held as Kᵀ in W's layout, W copied for this pass, the bias
     * padded with G·r zeros) gives out = [conv(x, W) + b | h_1 … h_G] in one pass over the unfolded input (the
     * extra G·r channels cost little beside nOut). Then each row adds its own group's s·B term only
     * ({@link #addOwnTerms}), and z is the first nOut channels.
     */
    private static INDArray fusedConvolution(INDArray x, INDArray w, INDArray bias, Layer layer, int index,
                                             LowRankLayer conf, boolean nhwc, List<RowGroups.Group> groups,
                                             List<ResidentAdapter> adapters, List<Integer> adapted,
                                             FactorCache factors) {
        long nOut = w.size(0);
        long fanIn = w.length() / nOut;
        int stackedRank = adapted.size() * conf.getRank();
        // Kᵀ in W's own layout [nOut + G·r, nIn, kH, kW]: W's rows copied as they lie, then each A_gᵀ
        INDArray kt = Nd4j.createUninitialized(w.dataType(), nOut + stackedRank, fanIn);
        BlockCopy.into(kt, 0, 0, w.reshape('c', nOut, fanIn), false);
        List<INDArray> ownB = stack(kt, nOut, true, null, layer, index, conf, adapters, adapted, factors);
        long[] kernelShape = w.shape().clone();
        kernelShape[0] = nOut + stackedRank;
        INDArray padded = null;
        if (bias != null) {
            padded = Nd4j.zeros(w.dataType(), nOut + stackedRank);
            padded.get(NDArrayIndex.interval(0, nOut)).assign(bias.reshape(nOut));
        }
        INDArray out = ((ConvOperation) conf.shape()).convolve(x, kt.reshape('c', kernelShape), padded);
        addOwnTerms(out, out, nOut, nhwc, ownB, conf.getRank(), groups, adapted);
        INDArrayIndex all = NDArrayIndex.all();
        INDArrayIndex frozenChannels = NDArrayIndex.interval(0, nOut);
        return (nhwc ? out.get(all, all, all, frozenChannels) : out.get(all, frozenChannels, all, all)).dup('c');
    }

    /**
     * Adds to z each row's own term h_i·(s·B_i), h_i the channels of the i-th adapted group, for that group's
     * rows only, as matrix products on views (z and h c order, as a convolution made them; h may be z itself, the
     * fused output [conv(x, W) + b | h_1 … h_G], whose z channels come first):
     * <pre>
     *   NCHW  per row b:    z[b, 0:nOut] as [nOut, P] += (s·B_i)ᵀ · h[b, c_i : c_i + r] as [r, P]
     *   NHWC  per group i:  z[rows of i, :, :, 0:nOut] as [n_i·P, nOut] += h[rows of i, :, :, c_i : c_i + r]·(s·B_i)
     * </pre>
     * (P = oH·oW; c_i = i·r after h's first channel). A 1x1 convolution of the masked h instead computed all G·r
     * channels into every row and multiplied the others' by 0 (and oneDNN's 1x1 convolution of a few channels
     * cost more than these products: CPU per batch of 6 mixed rows of the samples CNN 8.8 against 5.8 ms). NCHW
     * goes row by row because a row's blocks are contiguous row ranges, which BLAS accumulates into in place.
     *
     * @param z      [mb, Cz, oH, oW] or [mb, oH, oW, Cz], the frozen product in channels [0, nOut)
     * @param h      [mb, Ch, oH, oW] or [mb, oH, oW, Ch], the groups' r channels in its last G·r channels
     * @param ownB   s·B_i [r, nOut] of each adapted group, the cache's own arrays (a view of one stacked copy per
     *               group cost as much as the copy)
     */
    private static void addOwnTerms(INDArray z, INDArray h, long nOut, boolean nhwc, List<INDArray> ownB, int r,
                                    List<RowGroups.Group> groups, List<Integer> adapted) {
        int channelAxis = nhwc ? 3 : 1;
        long zChannels = z.size(channelAxis);
        long hChannels = h.size(channelAxis);
        long mb = z.size(0);
        long positions = z.length() / (mb * zChannels);
        INDArray zFlat = nhwc ? z.reshape('c', mb * positions, zChannels) : z.reshape('c', mb * zChannels, positions);
        INDArray hFlat = h == z ? zFlat
                : nhwc ? h.reshape('c', mb * positions, hChannels) : h.reshape('c', mb * hChannels, positions);
        INDArrayIndex all = NDArrayIndex.all();
        long hFirst = hChannels - (long) ownB.size() * r;
        for (int i = 0; i < adapted.size(); i++) {
            RowGroups.Group g = groups.get(adapted.get(i));
            INDArray sB = ownB.get(i);
            long c = hFirst + (long) i * r;
            if (nhwc) {
                INDArrayIndex rows = NDArrayIndex.interval(g.start() * positions, g.end() * positions);
                INDArray hi = hFlat.get(rows, NDArrayIndex.interval(c, c + r));
                if (zChannels == nOut) {   // the group's z rows are one contiguous block
                    Nd4j.gemm(hi, sB, zFlat.get(rows, all), false, false, 1.0, 1.0);
                } else {
                    zFlat.get(rows, NDArrayIndex.interval(0, nOut)).addi(Nd4j.gemm(hi, sB, false, false));
                }
                continue;
            }
            for (long b = g.start(); b < g.end(); b++) {
                Nd4j.gemm(sB, hFlat.get(NDArrayIndex.interval(b * hChannels + c, b * hChannels + c + r), all),
                        zFlat.get(NDArrayIndex.interval(b * zChannels, b * zChannels + nOut), all), true, false,
                        1.0, 1.0);
            }
        }
    }

    /**
     * The thin paths of G adapter groups with one product for the A side: h = x·[A_1 … A_G] (convolution: one
     * G·r-channel convolution) over the whole batch. Dense: h ⊙ M with M[row, channels of group g] = 1 for the rows
     * of group g and 0 elsewhere ({@link #rowMask}), then z += h·[s·B_1; …; s·B_G]; each row gets exactly its own
     * adapter's term (the others are multiplied by 0). Convolution: each row's own s·B term ({@link #addOwnTerms}).
     * Used while G·r ≤ nOut, so the extra r-channel work on other groups' rows costs at most as much as the frozen
     * product. The factors are copied into one [fanIn, G·r] and one [G·r, nOut] array made for the pass (ND4J's
     * {@code concat} of a few small arrays cost more than the layer's convolutions).
     */
    private static void addStacked(INDArray z, INDArray x, Layer layer, int index, LowRankLayer conf,
                                   Conv2DConfig geometry, boolean nhwc, List<RowGroups.Group> groups,
                                   List<ResidentAdapter> adapters, List<Integer> adapted, FactorCache factors) {
        int stackedRank = adapted.size() * conf.getRank();
        LowRankUpdate first = factors.update(adapters.get(adapted.get(0)), index, layer);
        INDArray aStack = Nd4j.createUninitialized(z.dataType(), first.a().size(0), stackedRank);
        INDArray bStack = Nd4j.createUninitialized(z.dataType(), stackedRank, first.b().size(1));
        List<INDArray> ownB = stack(aStack, 0, false, bStack, layer, index, conf, adapters, adapted, factors);
        LowRankUpdate stacked = new LowRankUpdate(conf.shape(), conf.weightShape(), aStack, bStack);
        if (geometry != null) {
            INDArray h = Nd4j.cnn().conv2d(x, stacked.aKernel(), geometry);
            addOwnTerms(z, h, z.size(nhwc ? 3 : 1), nhwc, ownB, conf.getRank(), groups, adapted);
        } else {
            INDArray rowMask = rowMask(x.size(0), conf.getRank(), groups, adapted, z.dataType());
            INDArray h = Nd4j.gemm(x, stacked.a(), false, false).muli(rowMask);
            z.addi(Nd4j.gemm(h, stacked.b(), false, false));
        }
    }

    /**
     * Copies the adapted groups' factors side by side ({@link BlockCopy}): A_i into columns [i·r, (i+1)·r) of
     * {@code aTarget} = [fanIn, G·r], or, {@code transposed}, A_iᵀ into rows [aRow0 + i·r, aRow0 + (i+1)·r) of
     * {@code aTarget} = [aRow0 + G·r, fanIn]; and, unless {@code bStack} is null, s·B_i into rows [i·r, (i+1)·r)
     * of {@code bStack} [G·r, nOut].
     *
     * @return s·B_i [r, nOut] of each adapted group, as the cache holds them
     */
    private static List<INDArray> stack(INDArray aTarget, long aRow0, boolean transposed, INDArray bStack,
                                        Layer layer, int index, LowRankLayer conf, List<ResidentAdapter> adapters,
                                        List<Integer> adapted, FactorCache factors) {
        int r = conf.getRank();
        List<INDArray> ownB = new ArrayList<>(adapted.size());
        for (int i = 0; i < adapted.size(); i++) {
            LowRankUpdate u = factors.update(adapters.get(adapted.get(i)), index, layer);
            long channel = (long) i * r;
            if (transposed) {
                BlockCopy.into(aTarget, aRow0 + channel, 0, u.a(), true);
            } else {
                BlockCopy.into(aTarget, 0, channel, u.a(), false);
            }
            if (bStack != null) {
                BlockCopy.into(bStack, channel, 0, u.b(), false);
            }
            ownB.add(u.b());
        }
        return ownB;
    }

    /**
     * @return the row-group mask M [mb, G·r]: M[row, i·r … (i+1)·r) = 1 for the rows of the i-th adapted group, 0
     *         elsewhere, made from a Java array in one copy
     */
    private static INDArray rowMask(long mb, int r, List<RowGroups.Group> groups, List<Integer> adapted,
                                    DataType dataType) {
        int stackedRank = adapted.size() * r;
        double[] mask = new double[(int) mb * stackedRank];
        for (int i = 0; i < adapted.size(); i++) {
            RowGroups.Group g = groups.get(adapted.get(i));
            for (int row = g.start(); row < g.end(); row++) {
                Arrays.fill(mask, row * stackedRank + i * r, row * stackedRank + (i + 1) * r, 1.0);
            }
        }
        return Nd4j.create(mask, new long[] {mb, stackedRank}, dataType);
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
