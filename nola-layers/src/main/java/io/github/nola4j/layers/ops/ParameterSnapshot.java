package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The exact bits of one parameter array at one moment, kept on the Java heap, to tell later whether the array
 * still holds them: {@link #matches} compares its data type, shape, strides and every byte of its values with
 * the copy ({@link ByteBuffer#mismatch}, a vectorised compare), without an ND4J operation or an allocation when
 * the array is one contiguous block of its buffer (a parameter view of a network's flat parameter array is).
 * Exact: any write to the array, in place or through another view of the same buffer, that changes a bit is
 * seen; writing the same values again is not a change. Meant for small arrays read at every call (a layer's
 * trainable coefficients, BatchNorm's per-channel parameters): it holds one copy of the values.
 */
public final class ParameterSnapshot {

    private final DataType dataType;
    private final long[] shape;
    private final long[] stride;
    private final ByteBuffer bits;

    private ParameterSnapshot(DataType dataType, long[] shape, long[] stride, ByteBuffer bits) {
        this.dataType = dataType;
        this.shape = shape;
        this.stride = stride;
        this.bits = bits;
    }

    /** @return a snapshot of {@code array}'s current values */
    public static ParameterSnapshot of(INDArray array) {
        ByteBuffer current = bytes(array);
        ByteBuffer copy = ByteBuffer.allocate(current.remaining());
        copy.put(current).flip();
        return new ParameterSnapshot(array.dataType(), array.shape(), array.stride(), copy);
    }

    /** @return whether {@code array} has this snapshot's data type, shape, strides and value bits */
    public boolean matches(INDArray array) {
        return array.dataType() == dataType && Arrays.equals(array.shape(), shape)
                && Arrays.equals(array.stride(), stride) && bytes(array).mismatch(bits) == -1;
    }

    /**
     * @return the array's values as bytes in its memory order: a window on its buffer when the array is one
     *         contiguous block of it (ND4J's {@code asNio()} covers the whole underlying buffer, the array
     *         starting {@code offset()} elements in), otherwise those of a C-ordered copy
     */
    private static ByteBuffer bytes(INDArray array) {
        INDArray block = Shape.isContiguousInBuffer(array) ? array : array.dup('c');
        long width = block.dataType().width();
        long from = block.offset() * width;
        long to = from + block.length() * width;
        ByteBuffer all = block.data().asNio();
        if (all == null || to > all.capacity() || to > Integer.MAX_VALUE) {
            block = array.dup('c');
            all = block.data().asNio();
            from = block.offset() * width;
            to = from + block.length() * width;
        }
        return all.duplicate().limit((int) to).position((int) from);
    }
}
