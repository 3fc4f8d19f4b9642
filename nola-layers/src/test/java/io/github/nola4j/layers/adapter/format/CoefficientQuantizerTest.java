package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CoefficientQuantizerTest {

    @Test
    void fourBitsFollowsTheDocumentedFormula() {
        float[] v = {0.7f, -0.36f, 0.1f, 0f, -0.7f};
        CoefficientQuantization.QuantizedVector q = CoefficientQuantization.quantize(v, 4);
        assertEquals(0.1f, q.scale(), 1e-7f); // 0.7 / 7
        assertArrayEquals(new int[] {7, -4, 1, 0, -7}, q.codes()); // -3.6 rounds to -4
        float[] back = CoefficientQuantization.dequantize(q);
        assertEquals(0.7f, back[0], 1e-6f);
        assertEquals(-0.4f, back[1], 1e-6f);
    }

    @Test
    void errorIsAtMostHalfAStepForEveryWidth() {
        Random r = new Random(3);
        float[] v = new float[257];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 3);
        }
        for (int bits = 2; bits <= 8; bits++) {
            CoefficientQuantization.QuantizedVector q = CoefficientQuantization.quantize(v, bits);
            float[] back = CoefficientQuantization.dequantize(q);
            for (int i = 0; i < v.length; i++) {
                assertTrue(Math.abs(back[i] - v[i]) <= q.scale() / 2 * 1.0001 + 1e-6, "bits " + bits + " i " + i);
                assertTrue(Math.abs(q.codes()[i]) <= CoefficientQuantization.maxCode(bits));
            }
        }
    }

    @Test
    void zeroVectorHasZeroScaleAndTwoBitsIsTernary() {
        CoefficientQuantization.QuantizedVector z = CoefficientQuantization.quantize(new float[4], 3);
        assertEquals(0f, z.scale());
        assertArrayEquals(new int[4], z.codes());
        assertArrayEquals(new int[] {1, 0, -1}, CoefficientQuantization.quantize(new float[] {2f, 0.5f, -1.5f}, 2)
                .codes());
    }

    @Test
    void rejectsBadWidthsAndNonFiniteValues() {
        assertThrows(IllegalArgumentException.class, () -> CoefficientQuantization.quantize(new float[1], 1));
        assertThrows(IllegalArgumentException.class, () -> CoefficientQuantization.quantize(new float[1], 9));
        assertThrows(IllegalArgumentException.class, () -> CoefficientQuantization.quantize(new float[1], 32));
        assertThrows(IllegalArgumentException.class, () -> CoefficientQuantization.quantize(new float[] {Float.NaN}, 4));
        assertThrows(IllegalArgumentException.class, () -> new CoefficientEncoding(16));
    }

    @Test
    void bitPackingRoundTripsEveryCodeOfEveryWidth() {
        Random r = new Random(5);
        for (int bits = 2; bits <= 8; bits++) {
            for (int n : new int[] {1, 3, 7, 8, 9, 256, 301}) {
                int[] codes = new int[n];
                for (int i = 0; i < n; i++) {
                    codes[i] = r.nextInt(1 << bits) - (1 << (bits - 1)); // includes -2^(b-1)
                }
                byte[] packed = BitPacking.pack(codes, bits);
                assertEquals((n * bits + 7) / 8, packed.length);
                assertArrayEquals(codes, BitPacking.unpack(packed, 0, n, bits), "bits " + bits + " n " + n);
            }
        }
    }

    @Test
    void setPaddingBitsAreRejected() {
        byte[] packed = BitPacking.pack(new int[] {1}, 4);
        packed[0] |= (byte) 0x80;
        assertThrows(AdapterFormatException.class, () -> BitPacking.unpack(packed, 0, 1, 4));
    }

    /** The bit-by-bit reader the word-wise {@link BitPacking#unpack} replaced: codes and padding errors must agree. */
    private static int[] bitByBitUnpack(byte[] packed, int offset, int n, int bits) {
        int[] codes = new int[n];
        long bit = 0;
        for (int i = 0; i < n; i++) {
            int u = 0;
            for (int j = 0; j < bits; j++, bit++) {
                u |= ((packed[offset + (int) (bit >>> 3)] >>> (bit & 7)) & 1) << j;
            }
            codes[i] = (u << (32 - bits)) >> (32 - bits);
        }
        for (long total = BitPacking.packedBytes(n, bits) * 8; bit < total; bit++) {
            if (((packed[offset + (int) (bit >>> 3)] >>> (bit & 7)) & 1) != 0) {
                throw new AdapterFormatException("padding bit " + bit);
            }
        }
        return codes;
    }

    @Test
    void unpackReadsArbitraryBytesAsTheBitByBitReaderDid() {
        Random r = new Random(11);
        for (int b = 2; b <= 8; b++) {
            int bits = b;
            for (int n : new int[] {1, 2, 3, 5, 8, 13, 256}) {
                for (int trial = 0; trial < 20; trial++) {
                    byte[] bytes = new byte[3 + (int) BitPacking.packedBytes(n, bits) + 2];
                    r.nextBytes(bytes);
                    String where = "bits " + bits + " n " + n + " trial " + trial;
                    int[] expected;
                    try {
                        expected = bitByBitUnpack(bytes, 3, n, bits);
                    } catch (AdapterFormatException e) {
                        AdapterFormatException got = assertThrows(AdapterFormatException.class,
                                () -> BitPacking.unpack(bytes, 3, n, bits), where);
                        assertTrue(got.getMessage().contains(e.getMessage() + " "), where + ": " + got.getMessage());
                        continue;
                    }
                    assertArrayEquals(expected, BitPacking.unpack(bytes, 3, n, bits), where);
                }
            }
        }
    }
}
