package io.github.nola4j.spark;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.Arrays;

/**
 * A vector of trainable values as it travels between driver and workers: a plain {@code float[]}
 * for FLOAT networks, a {@code double[]} for DOUBLE ones, so the wire carries 4 (or 8) bytes per
 * value and a few bytes of header, nothing else (no shape information, no ND4J objects). Written
 * as {@link Externalizable}: a type byte, the length, the raw values.
 */
public final class ValueVector implements Externalizable {

    private static final long serialVersionUID = 1L;
    private static final byte FLOATS = 4;
    private static final byte DOUBLES = 8;

    private float[] floats;
    private double[] doubles;

    /** For deserialisation only. */
    public ValueVector() {
    }

    private ValueVector(float[] floats, double[] doubles) {
        this.floats = floats;
        this.doubles = doubles;
    }

    /**
     * @param values [1, n] or [n], FLOAT or DOUBLE
     * @throws IllegalArgumentException for any other data type
     */
    public static ValueVector of(INDArray values) {
        return switch (values.dataType()) {
            case FLOAT -> new ValueVector(values.dup('c').data().asFloat(), null);
            case DOUBLE -> new ValueVector(null, values.dup('c').data().asDouble());
            default -> throw new IllegalArgumentException("Trainable values of data type " + values.dataType()
                    + " cannot be shipped: use a FLOAT or DOUBLE network (e.g. dataType(DataType.FLOAT) in its "
                    + "configuration)");
        };
    }

    /** @return n */
    public int length() {
        return floats != null ? floats.length : doubles.length;
    }

    /** @return bytes of one value: 4 (FLOAT) or 8 (DOUBLE) */
    public int bytesPerValue() {
        return floats != null ? Float.BYTES : Double.BYTES;
    }

    /** @return the values as a new [1, n] array of their data type */
    public INDArray toArray() {
        return floats != null ? Nd4j.createFromArray(floats).reshape(1, floats.length)
                : Nd4j.createFromArray(doubles).reshape(1, doubles.length);
    }

    /** @return this + other, element-wise, in this vector's precision */
    public ValueVector plus(ValueVector other) {
        if (other.length() != length() || (floats == null) != (other.floats == null)) {
            throw new IllegalArgumentException("Cannot add a vector of " + other.length() + " values (" + other.type()
                    + ") to one of " + length() + " (" + type() + "): workers must train copies of one network");
        }
        if (floats != null) {
            float[] sum = floats.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += other.floats[i];
            }
            return new ValueVector(sum, null);
        }
        double[] sum = doubles.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.doubles[i];
        }
        return new ValueVector(null, sum);
    }

    /** @return c · this */
    public ValueVector times(double c) {
        if (floats != null) {
            float[] out = new float[floats.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (floats[i] * c);
            }
            return new ValueVector(out, null);
        }
        return new ValueVector(null, Arrays.stream(doubles).map(v -> v * c).toArray());
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        out.writeByte(floats != null ? FLOATS : DOUBLES);
        out.writeInt(length());
        for (int i = 0; i < length(); i++) {
            if (floats != null) {
                out.writeFloat(floats[i]);
            } else {
                out.writeDouble(doubles[i]);
            }
        }
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        byte type = in.readByte();
        int n = in.readInt();
        if (type == FLOATS) {
            floats = new float[n];
            for (int i = 0; i < n; i++) {
                floats[i] = in.readFloat();
            }
        } else if (type == DOUBLES) {
            doubles = new double[n];
            for (int i = 0; i < n; i++) {
                doubles[i] = in.readDouble();
            }
        } else {
            throw new IOException("Unknown value type " + type + " in a ValueVector: driver and workers must run the "
                    + "same nola-spark version");
        }
    }

    private DataType type() {
        return floats != null ? DataType.FLOAT : DataType.DOUBLE;
    }
}
