package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.ops.LowRankUpdate;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * How an op consumes a weight W, and so where s·ΔW = A·(s·B) [fanIn, nOut] goes in W's layout.
 * A and B are always in the orientation of x·W: A [fanIn, r] mixes the inputs, B [r, nOut] the outputs.
 * <pre>
 *   DENSE             W [nIn, nOut]   consumed as x·W                  s·ΔW = A·(s·B)
 *   DENSE_TRANSPOSED  W [nOut, nIn]   consumed as x·Wᵀ (or W·x)        s·ΔW = (A·(s·B))ᵀ
 *   KERNEL_OIYX       W [nOut, nIn, kH, kW]   (the layers' layout)     s·ΔW = reshape((A·(s·B))ᵀ, W's shape)
 *   KERNEL_YXIO       W [kH, kW, nIn, nOut]   (libnd4j's default)      the OIYX update permuted (2, 3, 1, 0)
 *   KERNEL_OYXI       W [nOut, kH, kW, nIn]                            the OIYX update permuted (0, 2, 3, 1)
 * </pre>
 * For kernels fanIn = nIn·kH·kW with rows in (nIn, kH, kW) order, as the layers flatten them
 * ({@link LowRankUpdate#defineKernelDelta}), so a kernel adapted here and a {@code NolaConv2d} with the same
 * bases and coefficients have the same ΔW.
 */
public enum WeightLayout {

    DENSE(-1, -1, -1, -1, false),
    DENSE_TRANSPOSED(-1, -1, -1, -1, true),
    KERNEL_OIYX(1, 2, 3, 0, false),
    KERNEL_YXIO(2, 0, 1, 3, false),
    KERNEL_OYXI(3, 1, 2, 0, false);

    /** Axes of W holding nIn, kH, kW and nOut (kernels only). */
    private final int inAxis;
    private final int hAxis;
    private final int wAxis;
    private final int outAxis;
    private final boolean transposed;

    WeightLayout(int inAxis, int hAxis, int wAxis, int outAxis, boolean transposed) {
        this.inAxis = inAxis;
        this.hAxis = hAxis;
        this.wAxis = wAxis;
        this.outAxis = outAxis;
        this.transposed = transposed;
    }

    /** @return true for the 4-D convolution kernels */
    public boolean isKernel() {
        return inAxis >= 0;
    }

    /** @return the rank W must have: 2 or 4 */
    public int rank() {
        return isKernel() ? 4 : 2;
    }

    /** @return fanIn, the rows of A: nIn, or nIn·kH·kW for a kernel */
    public long fanIn(long[] shape) {
        if (!isKernel()) {
            return transposed ? shape[1] : shape[0];
        }
        return shape[inAxis] * shape[hAxis] * shape[wAxis];
    }

    /** @return nOut, the columns of B */
    public long nOut(long[] shape) {
        if (!isKernel()) {
            return transposed ? shape[0] : shape[1];
        }
        return shape[outAxis];
    }

    /**
     * @return W's shape in the layers' layout, as adapter files record it: [fanIn, nOut] for a matrix,
     *         [nOut, nIn, kH, kW] for a kernel
     */
    public long[] layersShape(long[] shape) {
        if (!isKernel()) {
            return new long[] {fanIn(shape), nOut(shape)};
        }
        return new long[] {shape[outAxis], shape[inAxis], shape[hAxis], shape[wAxis]};
    }

    /**
     * Defines s·ΔW in W's layout.
     *
     * @param a     A [fanIn, r]
     * @param b     s·B [r, nOut]
     * @param shape W's shape
     * @return s·ΔW with W's shape
     */
    public SDVariable delta(SDVariable a, SDVariable b, long[] shape) {
        if (!isKernel()) {
            SDVariable delta = LowRankUpdate.defineDelta(a, b);
            return transposed ? delta.permute(1, 0) : delta;
        }
        long[] oiyx = {shape[outAxis], shape[inAxis], shape[hAxis], shape[wAxis]};
        SDVariable delta = LowRankUpdate.defineKernelDelta(a, b, oiyx);
        return switch (this) {
            case KERNEL_YXIO -> delta.permute(2, 3, 1, 0);
            case KERNEL_OYXI -> delta.permute(0, 2, 3, 1);
            default -> delta;
        };
    }
}
