package io.github.nola4j.layers.adapter;

/**
 * Post-training symmetric quantisation of one coefficient vector with a per-vector max-abs scale
 * (the scheme of the NOLA paper), b in [2, 8] bits:
 * <pre>
 *   qmax  = 2^(b-1) - 1                      (b = 4: 7; b = 2: 1, i.e. ternary)
 *   scale = max_i |v_i| / qmax               (0 when v is all zero)
 *   q_i   = clamp(round_half_even(v_i / scale), -qmax, qmax)      (0 when scale = 0)
 *   v̂_i   = q_i · scale                      (computed in float: (float) (q_i * (double) scale))
 * </pre>
 * The code -2^(b-1) is never produced, so the grid is symmetric; the reader accepts it anyway.
 * The largest error is scale/2 per coefficient. The scale is stored as a binary32, and the
 * quantisation divides by that stored value, so dequantise(quantise(v)) is what a reader sees.
 */
public final class CoefficientQuantizer {

    private CoefficientQuantizer() {
    }

    /**
     * One quantised vector.
     *
     * @param bits  b
     * @param scale the max-abs scale, finite and ≥ 0
     * @param codes the signed codes, each in [-2^(b-1), 2^(b-1) - 1]
     */
    public record QuantizedVector(int bits, float scale, int[] codes) {
    }

    /** @return qmax = 2^(b-1) - 1 */
    public static int maxCode(int bits) {
        new CoefficientEncoding(bits); // range check
        return (1 << (bits - 1)) - 1;
    }

    /**
     * @param values finite values
     * @param bits   b in [2, 8]
     * @throws IllegalArgumentException if b is out of range or a value is not finite
     */
    public static QuantizedVector quantize(float[] values, int bits) {
        int qmax = maxCode(bits);
        if (bits == CoefficientEncoding.FLOAT_BITS) {
            throw new IllegalArgumentException("bits = 32 is fp32, not a quantisation; use 2 to 8");
        }
        double maxAbs = 0;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("coefficient " + i + " = " + values[i]
                        + " is not finite; a trained adapter must have finite coefficients");
            }
            maxAbs = Math.max(maxAbs, Math.abs(values[i]));
        }
        float scale = (float) (maxAbs / qmax);
        int[] codes = new int[values.length];
        if (scale > 0) {
            for (int i = 0; i < values.length; i++) {
                long q = Math.round(Math.rint(values[i] / (double) scale));
                codes[i] = (int) Math.max(-qmax, Math.min(qmax, q));
            }
        }
        return new QuantizedVector(bits, scale, codes);
    }

    /** @return v̂_i = q_i · scale */
    public static float[] dequantize(QuantizedVector q) {
        float[] out = new float[q.codes().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (q.codes()[i] * (double) q.scale());
        }
        return out;
    }

    /** @return max_i |v̂_i − v_i| over dequantize(quantize(values, bits)): how far a b-bit file moves them */
    public static double largestChange(float[] values, int bits) {
        float[] back = roundTrip(values, bits);
        double largest = 0;
        for (int i = 0; i < values.length; i++) {
            largest = Math.max(largest, Math.abs((double) back[i] - values[i]));
        }
        return largest;
    }

    /** @return max_i |v_i| */
    static double largestMagnitude(float[] values) {
        double largest = 0;
        for (float v : values) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }

    /** @return dequantize(quantize(values, bits)): what a b-bit adapter file gives back */
    public static float[] roundTrip(float[] values, int bits) {
        return dequantize(quantize(values, bits));
    }
}
