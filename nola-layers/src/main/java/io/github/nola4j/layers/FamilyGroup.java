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
 *   forward   F [n, R·r] = c · Q [n, k] · Mᵀ
 *   backward  G [n, k]   = c · D [n, R·r] · M      (one member: G = c·Mᵀ·d, a matrix-vector product)
 * </pre>
 */
final class FamilyGroup {

    final INDArray bases;
    final double c;
    final long rows;
    final boolean roleA;
    final List<Integer> members = new ArrayList<>();
    int size;
    INDArray coefficients;  // Q [n, numBases]
    INDArray source;        // a one-member group's Q [1, numBases] read where it is (no copy), or null
    INDArray products;      // F [n, rows·r]
    INDArray gradients;     // D [n, rows·r], made at the first hand-over
    INDArray projected;     // G [n, numBases]

    FamilyGroup(INDArray bases, double c, long rows, boolean roleA) {
        this.bases = bases;
        this.c = c;
        this.rows = rows;
        this.roleA = roleA;
    }

    void forward() {
        BlasProduct.into(source != null ? source : coefficients, bases, products, false, true, c, 0.0);
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
            BlasProduct.into(bases, vector(gradients), vector(target), true, false, c, 0.0);
        } else {
            BlasProduct.into(gradients, bases, projected, false, false, c, 0.0);
        }
    }

    /** @return a contiguous array as a vector view [length] */
    static INDArray vector(INDArray contiguous) {
        return Nd4j.create(contiguous.data(), new long[] {contiguous.length()}, new long[] {1}, contiguous.offset(),
                'c', contiguous.dataType());
    }
}
