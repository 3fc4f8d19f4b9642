package io.github.nola4j.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Fake quantisation of a coefficient vector for quantisation-aware training, with the scheme of
 * the adapter files (symmetric, one max-abs scale per vector, b bits):
 * <pre>
 *   qmax = 2^(b-1) - 1,   Δ = max_i |v_i| / qmax,   q(v)_i = round(v_i / Δ) · Δ    (0 when Δ = 0)
 * </pre>
 * In training the forward pass uses q(v) and the backward pass is the straight-through estimator,
 * dL/dv = dL/dq(v): written as {@code v + stopGradient(q(v) - v)}.
 */
public final class CoefficientFakeQuant {

    /** Smallest and largest supported bit widths. */
    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;

    private CoefficientFakeQuant() {
    }

    /** @return qmax = 2^(b-1) - 1 */
    public static int maxCode(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("quantisation bits = " + bits + " must be in [2, 8]; use e.g. 4");
        }
        return (1 << (bits - 1)) - 1;
    }

    /** @return q(v) in the graph with a straight-through gradient; v is [1, n] */
    public static SDVariable straightThrough(SameDiff sd, SDVariable v, int bits) {
        int qmax = maxCode(bits);
        SDVariable step = sd.math().abs(v).max().div(qmax);
        SDVariable safeStep = step.add(step.eq(0.0).castTo(v.dataType()));
        SDVariable q = sd.math().round(v.div(safeStep)).mul(step);
        return v.add(new StopGradient(sd, q.sub(v)).outputVariable());
    }

    /** @return q(v), a new array */
    public static INDArray quantize(INDArray v, int bits) {
        int qmax = maxCode(bits);
        double step = v.amaxNumber().doubleValue() / qmax;
        if (step == 0) {
            return v.mul(0);
        }
        return Transforms.round(v.div(step), false).muli(step);
    }
}
