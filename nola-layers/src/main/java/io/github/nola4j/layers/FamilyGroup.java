package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.BlasProduct;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * One group of {@link FamilyFactors}: the members with the same basis rows R and scale c in one role (A or B), n
 * of them, their bases M [R·r, k], and the arrays their one GEMM each way reuses:
 * <pre>
 *   forward   F [n, R·r] = c · Q [n, k] · Mᵀ       (one member: f = c·M·q, a matrix-vector product)
 *   backward  G [n, k]   = c · D [n, R·r] · M      (one member: g = c·Mᵀ·d, a matrix-vector product)
 * </pre>
 * A one-member group (a network's only layer of its fanIn or nOut) takes BLAS's matrix-vector product each way:
 * a 1-row GEMM packs all of M [R·r, k] into a buffer before it multiplies, so it reads M twice and writes a copy
 * of it (on the dense bench's 512x512 layer, r 8, k 256: 0.32 against 0.16 ms per product on one core).
 */
final class FamilyGroup {

    final INDArray bases;
    final double c;
    final long rows;
    final boolean roleA;
    final List<Integer> members = new ArrayList<>();
    int size;
    INDArray coefficients;  // Q [n, numBases]
    INDArray source;        // a one-member group's q [numBases] (or [1, numBases]) read where it is (no copy), or null
    INDArray products;      // F [n, rows·r]
    INDArray gradients;     // D [n, rows·r], made at the first hand-over
    INDArray projected;     // G [n, numBases]
    /** Vector views of a one-member group's arrays, each made once per array it views (a view is a native buffer). */
    private final VectorView coefficientVector = new VectorView();
    private final VectorView productVector = new VectorView();
    private final VectorView gradientVector = new VectorView();
    private final VectorView targetVector = new VectorView();

    FamilyGroup(INDArray bases, double c, long rows, boolean roleA) {
        this.bases = bases;
        this.c = c;
        this.rows = rows;
        this.roleA = roleA;
    }

    void forward() {
        if (size == 1) {
            BlasProduct.into(bases, coefficientVector.of(source != null ? source : coefficients),
                    productVector.of(products), false, false, c, 0.0);
        } else {
            BlasProduct.into(coefficients, bases, products, false, true, c, 0.0);
        }
    }

    /**
     * G = c·D·M into {@code projected}, or, for a one-member group, into {@code target} (the member's
     * gradient, [k] or [1, k], one contiguous block) when given; a one-member group without a target is skipped.
     */
    void backward(INDArray target) {
        if (gradients == null || (size == 1 && target == null)) {
            return;
        }
        if (size == 1) { // G = c·Mᵀ·d as a matrix-vector product: about 2x faster than a 1-row GEMM
            BlasProduct.into(bases, gradientVector.of(gradients), targetVector.of(target), true, false, c, 0.0);
        } else {
            BlasProduct.into(gradients, bases, projected, false, false, c, 0.0);
        }
    }

    /** The vector view of the last array asked for, made again only when another array is asked for. */
    private static final class VectorView {
        private INDArray viewed;
        private INDArray view;

        /** @return {@code contiguous} as a vector view [length], the same view while the same array is passed */
        INDArray of(INDArray contiguous) {
            if (contiguous != viewed) {
                view = vector(contiguous);
                viewed = contiguous;
            }
            return view;
        }
    }

    /** @return a contiguous array as a vector view [length] */
    static INDArray vector(INDArray contiguous) {
        return Nd4j.create(contiguous.data(), new long[] {contiguous.length()}, new long[] {1}, contiguous.offset(),
                'c', contiguous.dataType());
    }
}
