package io.github.nola4j.layers.adapter.format;

/**
 * Packs signed b-bit integers (two's complement, b in [2, 8]) into bytes, LSB-first: code i
 * occupies bits [i·b, (i+1)·b) of the little-endian bit string formed by the bytes, so byte j
 * holds bits [8j, 8j+8). Unused high bits of the last byte are zero (the reader rejects others).
 */
final class BitPacking {

    private BitPacking() {
    }

    /** @return ceil(n·bits/8) */
    static long packedBytes(long n, int bits) {
        return (Math.multiplyExact(n, (long) bits) + 7) / 8;
    }

    /** @return codes packed into {@link #packedBytes} bytes; every code must fit in b signed bits */
    static byte[] pack(int[] codes, int bits) {
        byte[] out = new byte[(int) packedBytes(codes.length, bits)];
        int mask = (1 << bits) - 1;
        long bit = 0;
        for (int code : codes) {
            int u = code & mask;
            for (int j = 0; j < bits; j++, bit++) {
                if ((u >>> j & 1) != 0) {
                    out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
            }
        }
        return out;
    }

    /**
     * @return n signed codes read from {@code packed[offset ..]}
     * @throws AdapterFormatException if the padding bits of the last byte are not zero
     */
    static int[] unpack(byte[] packed, int offset, int n, int bits) {
        int[] codes = new int[n];
        int mask = (1 << bits) - 1;
        int signShift = 32 - bits;
        long pending = 0;   // bits read from the bytes, not yet a code: the lowest comes first
        int have = 0;
        int at = offset;
        for (int i = 0; i < n; i++) {
            if (have < bits) {
                pending |= (long) (packed[at++] & 0xFF) << have;
                have += 8;
            }
            int u = (int) pending & mask;
            pending >>>= bits;
            have -= bits;
            codes[i] = (u << signShift) >> signShift; // sign-extend
        }
        if (pending != 0) {
            long bit = (long) n * bits + Long.numberOfTrailingZeros(pending);
            throw new AdapterFormatException("packed " + bits + "-bit coefficients: padding bit " + bit
                    + " of a vector of " + n + " is set, but must be zero; the file is corrupt, write it again");
        }
        return codes;
    }
}
