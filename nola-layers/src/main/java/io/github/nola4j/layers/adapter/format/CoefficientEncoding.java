package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.quantization.CoefficientQuantization;

/**
 * How coefficient vectors (α, β) are stored in an adapter file.
 *
 * <ul>
 *   <li>{@link #FP32}: {@code n} IEEE-754 binary32 values, big-endian: {@code 4·n} bytes.</li>
 *   <li>{@code bits} b in [2, 8]: the vector's scale as a binary32 (4 bytes), then {@code n}
 *       signed b-bit codes packed LSB-first ({@link BitPacking}): {@code 4 + ceil(n·b/8)} bytes.
 *       See {@link CoefficientQuantization} for the formula.</li>
 * </ul>
 *
 * @param bits 32 for fp32, else the number of bits per quantised coefficient (2 to 8)
 */
public record CoefficientEncoding(int bits) {

    /** Bits of the unquantised encoding. */
    public static final int FLOAT_BITS = 32;
    /** Unquantised IEEE-754 binary32 coefficients. */
    public static final CoefficientEncoding FP32 = new CoefficientEncoding(FLOAT_BITS);

    private static final int SCALE_BYTES = Float.BYTES;

    public CoefficientEncoding {
        if (bits != FLOAT_BITS && !CoefficientQuantization.isSupported(bits)) {
            throw new IllegalArgumentException("coefficient bits = " + bits + " must be " + FLOAT_BITS
                    + " (fp32) or in [" + CoefficientQuantization.MIN_BITS + ", " + CoefficientQuantization.MAX_BITS + "]; use e.g. CoefficientEncoding.quantized(4)");
        }
    }

    /** @return the b-bit symmetric max-abs encoding, b in [2, 8] */
    public static CoefficientEncoding quantized(int bits) {
        if (bits == FLOAT_BITS) {
            throw new IllegalArgumentException("quantized bits = 32 is not a quantisation; use CoefficientEncoding.FP32");
        }
        return new CoefficientEncoding(bits);
    }

    /** @return true for the b-bit encodings */
    public boolean isQuantized() {
        return bits != FLOAT_BITS;
    }

    /** @return bytes one vector of {@code n} coefficients takes in the payload */
    public long vectorBytes(long n) {
        if (!isQuantized()) {
            return Math.multiplyExact(n, (long) Float.BYTES);
        }
        return SCALE_BYTES + BitPacking.packedBytes(n, bits);
    }

    /** @return the name recorded in the configuration JSON */
    public String scheme() {
        return isQuantized() ? "symmetric-maxabs-per-vector" : "fp32";
    }
}
