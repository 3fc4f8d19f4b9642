package io.github.nola4j.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;


/**
 * The one b-bit quantisation grid of NOLA coefficient vectors (α, β), shared by quantisation-aware
 * training and the adapter files: symmetric, one max-abs scale per vector, b in [2, 8]:
 * <pre>
 *   qmax  = 2^(b-1) - 1                         (b = 4: 7; b = 2: 1, i.e. ternary)
 *   scale = max_i |v_i| / qmax                  (a binary32 division; 0 when v is all zero)
 *   q_i   = clamp(rint(v_i / scale), -qmax, qmax)   (binary32 division, ties to even; 0 when scale = 0)
 *   v̂_i   = q_i · scale                         (binary32 product)
 * </pre>
 * Every form computes the scale, the quotient and the product in binary32 (for a float network) and
 * rounds ties to even (libnd4j {@code rint}, Java {@link Math#rint}), so the QAT forward's
 * coefficients ({@link #straightThrough}, {@link #quantize(INDArray, int)}) equal a b-bit file's
 * decoded ones ({@link #roundTrip}) bit for bit. The clamp never binds (the quotient of max|v| rounds to qmax);
 * the code -2^(b-1) is never produced, though readers accept it. The largest error is scale/2.
 */
public final class CoefficientQuantization {

    /** Smallest supported bit width. */
    public static final int MIN_BITS = 2;
    /** Largest supported bit width. */
    public static final int MAX_BITS = 8;

    private CoefficientQuantization() {
    }

    /**
     * One quantised vector, as a file stores it.
     *
     * @param bits  b
     * @param scale the max-abs scale, finite and ≥ 0
     * @param codes the signed codes, each in [-2^(b-1), 2^(b-1) - 1]
     */
    public record QuantizedVector(int bits, float scale, int[] codes) {
    }

    /** @return true when b is a supported width, [2, 8] */
    public static boolean isSupported(int bits) {
        return bits >= MIN_BITS && bits <= MAX_BITS;
    }

    /**
     * @return qmax = 2^(b-1) - 1
     * @throws IllegalArgumentException when b is outside [2, 8]
     */
    public static int maxCode(int bits) {
        if (!isSupported(bits)) {
            throw new IllegalArgumentException("quantisation bits = " + bits + " must be in [" + MIN_BITS + ", "
                    + MAX_BITS + "]; use e.g. 4 (or fp32 coefficients for no quantisation)");
        }
        return (1 << (bits - 1)) - 1;
    }

    /**
     * The file form.
     *
     * @param values finite values, any length n
     * @param bits   b in [2, 8]
     * @return the scale and the n codes
     * @throws IllegalArgumentException if b is out of range or a value is not finite
     */
    public static QuantizedVector quantize(float[] values, int bits) {
        int qmax = maxCode(bits);
        float maxAbs = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("coefficient " + i + " = " + values[i]
                        + " is not finite; a trained adapter must have finite coefficients");
            }
            maxAbs = Math.max(maxAbs, Math.abs(values[i]));
        }
        float scale = maxAbs / qmax;
        int[] codes = new int[values.length];
        if (scale > 0) {
            for (int i = 0; i < values.length; i++) {
                float quotient = values[i] / scale;
                codes[i] = (int) Math.max(-qmax, Math.min(qmax, Math.rint(quotient)));
            }
        }
        return new QuantizedVector(bits, scale, codes);
    }

    /** @return v̂_i = q_i · scale, the values a b-bit file decodes to (exact in double, then rounded once) */
    public static float[] dequantize(QuantizedVector q) {
        float[] out = new float[q.codes().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (q.codes()[i] * (double) q.scale());
        }
        return out;
    }

    /** @return dequantize(quantize(values, bits)): what a b-bit adapter file gives back */
    public static float[] roundTrip(float[] values, int bits) {
        return dequantize(quantize(values, bits));
    }

    /** @return max_i |v̂_i − v_i| over {@link #roundTrip}: how far a b-bit file moves the values */
    public static double largestChange(float[] values, int bits) {
        float[] back = roundTrip(values, bits);
        double largest = 0;
        for (int i = 0; i < values.length; i++) {
            largest = Math.max(largest, Math.abs((double) back[i] - values[i]));
        }
        return largest;
    }

    /** @return max_i |v_i| */
    public static double largestMagnitude(float[] values) {
        double largest = 0;
        for (float v : values) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }

    /**
     * The QAT graph form: q(v) forward, the straight-through estimator backward (dL/dv = dL/dq(v)),
     * written {@code v + stopGradient(q(v) - v)}. The sum is exactly q(v) (Sterbenz: q(v) - v is exact
     * since v is within a factor 2 of q(v) or q(v) = 0) and its zeros are +0, as a file's.
     *
     * @param v    [1, n] coefficients in the network's data type
     * @param bits b in [2, 8]
     * @return [1, n] q(v)
     */
    public static SDVariable straightThrough(SameDiff sd, SDVariable v, int bits) {
        int qmax = maxCode(bits);
        SDVariable step = sd.math().abs(v).max().div(qmax);
        SDVariable safeStep = step.add(step.eq(0.0).castTo(v.dataType()));
        SDVariable codes = halfEvenRound(v.div(safeStep));
        SDVariable q = codes.mul(step);
        return v.add(new StopGradient(sd, q.sub(v)).outputVariable());
    }

    /**
     * The QAT array form, the same arithmetic as {@link #straightThrough}'s forward in v's data type.
     *
     * @param v    [1, n] coefficients
     * @param bits b in [2, 8]
     * @return [1, n] q(v), a new array
     */
    public static INDArray quantize(INDArray v, int bits) {
        int qmax = maxCode(bits);
        double maxAbs = v.amaxNumber().doubleValue();
        double step = Nd4j.scalar(v.dataType(), maxAbs).divi(qmax).getDouble(0);
        if (step == 0) {
            return Nd4j.zeros(v.dataType(), v.shape());
        }
        INDArray codes = v.div(step);
        Nd4j.exec(new Rint(codes, codes));
        return v.add(codes.muli(step).subi(v));
    }

    /**
     * rint(x), round half to even, from ops whose derivative SameDiff knows (0 almost everywhere):
     * f = floor(x), d = x - f (exact), rint(x) = f + [d &gt; 0.5] + [d = 0.5]·(f mod 2), every step exact in
     * binary32 for |x| &lt; 2^23, so it equals libnd4j {@code rint} bit for bit (zeros are +0). A subclass of
     * ND4J's {@link Rint} with a derivative does not survive SameDiff's gradient function, which copies ops
     * through FlatBuffers as plain {@code Rint}, whose derivative throws.
     */
    static SDVariable halfEvenRound(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable f = sd.math().floor(x);
        SDVariable d = x.sub(f);
        SDVariable odd = f.sub(sd.math().floor(f.div(2.0)).mul(2.0));
        SDVariable up = d.gt(0.5).castTo(x.dataType()).add(d.eq(0.5).castTo(x.dataType()).mul(odd));
        return f.add(up);
    }
}
