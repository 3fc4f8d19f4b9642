package io.github.nola4j.layers.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The low-rank update of one layer: its factors, and ΔW in every orientation the library needs. This is the
 * only place that multiplies A by B or rearranges the factors or their product into a weight or kernel layout.
 * <pre>
 *   A        [fanIn, r]    fanIn = nIn (dense) or nIn·kH·kW (convolution, rows in (nIn, kH, kW) order)
 *   s·B      [r, nOut]     the scale s is folded into B
 *   s·ΔW   = A·(s·B)       [fanIn, nOut]                                   {@link #delta()}
 *   s·ΔW in W's layout     dense [nIn, nOut]: s·ΔW                         {@link #deltaInWeightLayout}
 *                          conv [nOut, nIn, kH, kW]: reshape((s·ΔW)ᵀ)
 *   merged weight          W + s·ΔW in W's layout                          {@link #mergedWeight}, {@link #mergeInto}
 *   merged kernel (conv)   W + s·ΔW as libnd4j's YXIO [kH, kW, nIn, nOut]  {@link #mergedKernel},
 *                                                                          {@link #defineMergedKernel} (SameDiff)
 *   factored (conv)        A as a kernel [kH, kW, nIn, r]                  {@link #aKernel}
 *                          s·B as a 1x1 kernel [1, 1, r, nOut]             {@link #bKernel}
 * </pre>
 * Used by the layer's training and inference passes ({@link LayerOperation}), its SameDiff graph
 * ({@link ConvOperation#forward}), merge in place ({@code InPlaceMerger}) and merged export
 * ({@code NolaMerge}). Whether the layer is a convolution comes from its configuration
 * ({@link io.github.nola4j.layers.LowRankLayer#shape() LowRankLayer#shape()}), never from an array's rank. The product is one BLAS call; for a
 * convolution it is written in F order, whose transpose is already C-ordered [nOut, fanIn], i.e. W's
 * layout without a transposing copy. Arrays are made in the active workspace.
 */
public final class LowRankUpdate {

    private final boolean outputMajor;
    private final long[] weightShape;
    private final INDArray a;
    private final INDArray b;

    /**
     * @param shape       the layer's shape: dense or convolution
     * @param weightShape W's shape ({@link io.github.nola4j.layers.LowRankLayer#weightShape() LowRankLayer#weightShape()})
     * @param a           A [fanIn, r]
     * @param b           s·B [r, nOut], in either order (a basis family hands a transposed view of its products)
     */
    public LowRankUpdate(LayerOperation shape, long[] weightShape, INDArray a, INDArray b) {
        this(shape instanceof ConvOperation, weightShape, a, b);
    }

    /**
     * The update of a weight that is not a layer's W (e.g. an attention projection), by its layout.
     *
     * @param outputMajor true when W holds s·ΔWᵀ [nOut, fanIn] reshaped to {@code weightShape} (a convolution
     *                    kernel, an attention layer's Wq, Wk, Wv applied as W·x), false when W is [fanIn, nOut]
     * @param weightShape W's shape
     * @param a           A [fanIn, r]
     * @param b           s·B [r, nOut]
     */
    public LowRankUpdate(boolean outputMajor, long[] weightShape, INDArray a, INDArray b) {
        this.outputMajor = outputMajor;
        this.weightShape = weightShape.clone();
        this.a = a;
        this.b = b;
    }


    /** @return A [fanIn, r] */
    public INDArray a() {
        return a;
    }

    /** @return s·B [r, nOut] */
    public INDArray b() {
        return b;
    }

    /** @return s·ΔW = A·(s·B) [fanIn, nOut], C order */
    public INDArray delta() {
        return product('c', a.dataType());
    }

    /** @return s·ΔW in W's layout, in {@code dataType} */
    public INDArray deltaInWeightLayout(DataType dataType) {
        if (!outputMajor) {
            return product('c', dataType);
        }
        return product('f', dataType).transpose().reshape('c', weightShape);
    }

    /** @return a new array W + s·ΔW in W's layout: what a merged plain layer holds */
    public INDArray mergedWeight(INDArray w) {
        return w.add(deltaInWeightLayout(w.dataType()));
    }

    /** Writes W₀ + s·ΔW into {@code target} (W's layout and data type, e.g. W itself). */
    public void mergeInto(INDArray w0, INDArray target) {
        w0.add(deltaInWeightLayout(w0.dataType()), target);
    }

    /** @return W + s·ΔW as libnd4j's conv2d kernel [kH, kW, nIn, nOut] (a view of a new array) */
    INDArray mergedKernel(INDArray w) {
        requireConvolution();
        return mergedWeight(w).permute(2, 3, 1, 0);
    }

    /** @return A as an r-channel kernel [kH, kW, nIn, r] (a view of A) */
    public INDArray aKernel() {
        requireConvolution();
        return a.reshape('c', weightShape[1], weightShape[2], weightShape[3], a.size(1)).permute(1, 2, 0, 3);
    }

    /** @return s·B as a 1x1 kernel [1, 1, r, nOut] */
    public INDArray bKernel() {
        requireConvolution();
        return b.reshape('c', 1, 1, b.size(0), b.size(1));
    }

    /** @return a gradient given in {@link #aKernel()}'s layout [kH, kW, nIn, r] as A's [fanIn, r] */
    INDArray aFromKernel(INDArray dAKernel) {
        return dAKernel.permute(2, 0, 1, 3).dup('c').reshape(a.size(0), a.size(1));
    }

    /** @return a gradient given in {@link #mergedKernel}'s layout [kH, kW, nIn, nOut] as dΔᵀ [nOut, fanIn] */
    INDArray deltaTransposedFromKernel(INDArray dKernel) {
        return dKernel.permute(3, 2, 0, 1).dup('c').reshape(b.size(1), a.size(0));
    }

    /**
     * Defines {@link #mergedKernel} in a SameDiff graph.
     *
     * @param w           W [nOut, nIn, kH, kW]
     * @param a           A [fanIn, r]
     * @param b           s·B [r, nOut]
     * @param weightShape W's shape
     * @return W + s·ΔW as [kH, kW, nIn, nOut]
     */
    static SDVariable defineMergedKernel(SDVariable w, SDVariable a, SDVariable b, long[] weightShape) {
        return w.add(defineKernelDelta(a, b, weightShape)).permute(2, 3, 1, 0);
    }

    /**
     * Defines s·ΔW in a graph in a convolution layer's weight layout, as {@link #deltaInWeightLayout} computes it.
     *
     * @param a           A [fanIn, r], rows in (nIn, kH, kW) order
     * @param b           s·B [r, nOut]
     * @param weightShape W's shape [nOut, nIn, kH, kW]
     * @return reshape((A·(s·B))ᵀ, [nOut, nIn, kH, kW])
     */
    public static SDVariable defineKernelDelta(SDVariable a, SDVariable b, long[] weightShape) {
        return a.mmul(b).permute(1, 0).reshape(weightShape);
    }

    /**
     * Defines s·ΔW = A·(s·B) [fanIn, nOut] in a graph, in a dense weight's layout [nIn, nOut].
     *
     * @param a A [fanIn, r]
     * @param b s·B [r, nOut]
     */
    public static SDVariable defineDelta(SDVariable a, SDVariable b) {
        return a.mmul(b);
    }

    private INDArray product(char order, DataType dataType) {
        INDArray out = Nd4j.createUninitialized(dataType, new long[] {a.size(0), b.size(1)}, order);
        Nd4j.gemm(a.castTo(dataType), b.castTo(dataType), out, false, false, 1.0, 0.0);
        return out;
    }

    private void requireConvolution() {
        if (!outputMajor) {
            throw new IllegalStateException("a dense layer's update has no kernel layout: it is applied as "
                    + "x·A·(s·B)");
        }
    }
}
