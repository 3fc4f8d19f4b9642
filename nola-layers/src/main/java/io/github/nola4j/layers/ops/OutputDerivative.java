package io.github.nola4j.layers.ops;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The derivative of an activation y = act(z) written with its output y, for the activations where that is
 * cheaper than DL4J's backprop, which evaluates act again from z (libnd4j's {@code tanh_bp} and
 * {@code sigmoid_bp}; on the dense bench's [64, 512] pre-activation, {@code tanh_bp} took several times as
 * long as two multiplies):
 * <pre>
 *   tanh:     dy/dz = 1 − y²
 *   sigmoid:  dy/dz = y·(1 − y)
 * </pre>
 * A layer computes the factor in its training forward pass, right after y, and its backward pass takes
 * δ = ε·dy/dz: one multiply instead of act'(z). So the forward no longer needs a copy of z, and nothing
 * depends on y staying unchanged (the layer above may modify its input in place). Equal to DL4J's backprop
 * up to rounding: bit for bit for sigmoid, within 1 ulp-scale for tanh (libnd4j's tanh_bp rounds 1 − tanh²
 * differently); float 1e-6 and double 1e-12 relative ({@code OutputDerivativeTest}). For a float or double
 * matrix of up to {@link #CALLING_THREAD_ELEMENTS} values both run as plain loops on the calling thread, with
 * the arithmetic of the ND4J ops they replace (bit for bit), instead of three libnd4j ops and OpenMP regions.
 */
public final class OutputDerivative {

    private OutputDerivative() {
    }

    /** @return whether {@link #of} gives the derivative of {@code activation} */
    public static boolean supports(Activation activation) {
        return activation == Activation.TANH || activation == Activation.SIGMOID;
    }

    /**
     * @param activation one that {@link #supports}
     * @param y          the activation's output, any shape; not changed
     * @return dy/dz from y, a new array of y's shape in the current workspace
     * @throws IllegalArgumentException for another activation
     */
    public static INDArray of(Activation activation, INDArray y) {
        if (!supports(activation)) {
            throw new IllegalArgumentException("Activation " + activation
                    + " has no derivative from its output here; use TANH or SIGMOID, or the activation's backprop");
        }
        if (onCallingThread(y)) {
            INDArray out = Nd4j.createUninitialized(y.dataType(), y.shape(), 'c');
            loop(activation == Activation.TANH ? Loop.ONE_MINUS_SQUARE : Loop.ONE_MINUS_TIMES, y, out);
            return out;
        }
        return activation == Activation.TANH ? y.mul(y).rsubi(1.0) : y.rsub(1.0).muli(y);
    }

    /**
     * δ = ε·dy/dz, written into {@code derivative}: what {@code derivative.muli(epsilon)} computes, bit for bit.
     *
     * @param derivative dy/dz from {@link #of}; overwritten
     * @param epsilon    dL/dy, derivative's shape, any order; not changed
     * @return derivative, now δ
     */
    public static INDArray times(INDArray derivative, INDArray epsilon) {
        if (onCallingThread(derivative) && onCallingThread(epsilon) && epsilon.dataType() == derivative.dataType()
                && Arrays.equals(epsilon.shape(), derivative.shape())) {
            loop(Loop.TIMES, epsilon, derivative);
            return derivative;
        }
        return derivative.muli(epsilon);
    }

    /** What a loop writes into out[i, j], from in[i, j] and (for TIMES) out[i, j] itself. */
    private enum Loop { ONE_MINUS_SQUARE, ONE_MINUS_TIMES, TIMES }

    /**
     * @return whether the loops run on the calling thread: a float or double matrix of at most
     *         {@link #CALLING_THREAD_ELEMENTS} values, one block of its buffer. libnd4j 1.0.0-M2.1 splits an
     *         element-wise op over both cores from 2,048 values on (an OpenMP region that wakes the other core's
     *         worker); a plain loop over 32,768 values (the dense bench's [64, 512]) takes tens of microseconds.
     */
    private static boolean onCallingThread(INDArray a) {
        return HostMemory.direct() && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE)
                && a.rank() == 2
                && a.length() <= CALLING_THREAD_ELEMENTS && Shape.isContiguousInBuffer(a) && a.data().asNio() != null
                && (a.offset() + a.length()) * a.dataType().width() <= a.data().asNio().capacity();
    }

    /** Largest matrix whose derivative loops run on the calling thread (as large as the dense bench's, 8 times). */
    static final long CALLING_THREAD_ELEMENTS = 1L << 18;

    /** out[i, j] = f(in[i, j], out[i, j]) in the arrays' own type (float arithmetic for float, as libnd4j's ops). */
    private static void loop(Loop f, INDArray in, INDArray out) {
        boolean flat = in.ordering() == out.ordering() && Arrays.equals(in.stride(), out.stride());
        long rows = flat ? 1 : in.size(0);
        long cols = flat ? in.length() : in.size(1);
        long is0 = flat ? 0 : in.stride(0), is1 = flat ? 1 : in.stride(1);
        long os0 = flat ? 0 : out.stride(0), os1 = flat ? 1 : out.stride(1);
        if (in.dataType() == DataType.FLOAT) {
            FloatBuffer x = in.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            FloatBuffer z = out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (long i = 0; i < rows; i++) {
                int xi = (int) (in.offset() + i * is0);
                int zi = (int) (out.offset() + i * os0);
                int n = (int) cols, xs = (int) is1, zs = (int) os1;
                switch (f) {
                    case ONE_MINUS_SQUARE -> {
                        for (int j = 0; j < n; j++) {
                            float v = x.get(xi + j * xs);
                            z.put(zi + j * zs, 1.0f - v * v);
                        }
                    }
                    case ONE_MINUS_TIMES -> {
                        for (int j = 0; j < n; j++) {
                            float v = x.get(xi + j * xs);
                            z.put(zi + j * zs, (1.0f - v) * v);
                        }
                    }
                    case TIMES -> {
                        for (int j = 0; j < n; j++) {
                            z.put(zi + j * zs, z.get(zi + j * zs) * x.get(xi + j * xs));
                        }
                    }
                }
            }
        } else {
            DoubleBuffer x = in.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
            DoubleBuffer z = out.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
            for (long i = 0; i < rows; i++) {
                int xi = (int) (in.offset() + i * is0);
                int zi = (int) (out.offset() + i * os0);
                int n = (int) cols, xs = (int) is1, zs = (int) os1;
                switch (f) {
                    case ONE_MINUS_SQUARE -> {
                        for (int j = 0; j < n; j++) {
                            double v = x.get(xi + j * xs);
                            z.put(zi + j * zs, 1.0 - v * v);
                        }
                    }
                    case ONE_MINUS_TIMES -> {
                        for (int j = 0; j < n; j++) {
                            double v = x.get(xi + j * xs);
                            z.put(zi + j * zs, (1.0 - v) * v);
                        }
                    }
                    case TIMES -> {
                        for (int j = 0; j < n; j++) {
                            z.put(zi + j * zs, z.get(zi + j * zs) * x.get(xi + j * xs));
                        }
                    }
                }
            }
        }
    }
}
