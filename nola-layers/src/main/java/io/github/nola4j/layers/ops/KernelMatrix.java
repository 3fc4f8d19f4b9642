package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution kernel in the YXIO layout [kH, kW, nIn, nOut] as a C-order matrix for BLAS, fanIn = kH·kW·nIn:
 * <pre>
 *   K  [fanIn, nOut]   rows in (kh, kw, i) order      a C-ordered YXIO kernel (a NOLA layer's inference form)
 *   Kᵀ [nOut, fanIn]   columns in (i, kh, kw) order   DL4J's weight [nOut, nIn, kH, kW] seen as YXIO
 * </pre>
 * read in place (a view) when the kernel's memory holds one of the two, {@code transposed} telling which. For a 1x1
 * kernel the two orders are the same (fanIn = nIn).
 *
 * @param matrix     K or Kᵀ
 * @param transposed true for Kᵀ
 */
record KernelMatrix(INDArray matrix, boolean transposed) {

    /** @return the matrix of {@code yxio} read in place, or null when its memory holds neither layout */
    static KernelMatrix inPlace(INDArray yxio) {
        long kH = yxio.size(0);
        long kW = yxio.size(1);
        long nIn = yxio.size(2);
        long nOut = yxio.size(3);
        long fanIn = kH * kW * nIn;
        if (strides(yxio, nOut * nIn * kW, nOut * nIn, nOut, 1)) {
            return new KernelMatrix(Nd4j.create(yxio.data(), new long[] {fanIn, nOut}, new long[] {nOut, 1},
                    yxio.offset(), 'c', yxio.dataType()), false);
        }
        if (strides(yxio, kW, 1, kH * kW, fanIn)) {
            return new KernelMatrix(Nd4j.create(yxio.data(), new long[] {nOut, fanIn}, new long[] {fanIn, 1},
                    yxio.offset(), 'c', yxio.dataType()), true);
        }
        return null;
    }

    /** @return {@link #inPlace}, or K copied into a new C-order array when the memory holds neither layout */
    static KernelMatrix of(INDArray yxio) {
        KernelMatrix k = inPlace(yxio);
        return k != null ? k : new KernelMatrix(yxio.dup('c').reshape('c', yxio.length() / yxio.size(3),
                yxio.size(3)), false);
    }

    /** @return whether a's strides are these, ignoring axes of size 1 */
    private static boolean strides(INDArray a, long... expected) {
        for (int d = 0; d < expected.length; d++) {
            if (a.size(d) > 1 && a.stride(d) != expected[d]) {
                return false;
            }
        }
        return true;
    }
}
