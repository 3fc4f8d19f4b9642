package io.github.nola4j.samples.bench;

import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shifted-product convolution that the convshapes scenario measures equals libnd4j's (through the project's
 * {@link ConvOperation}, NHWC): forward with and without bias, input gradient, Same and Truncate with padding, odd
 * and even kernels, non-square inputs, batch 1; double 1e-12, float 1e-6 relative to the largest value.
 */
class ShiftedGemmConvolutionTest {

    /** {mb, h, w, nIn, nOut, kH, kW, pH, pW, same (1) or truncate (0)}. */
    private static final int[][] CASES = {
            {2, 5, 5, 3, 4, 3, 3, 0, 0, 1},
            {1, 7, 4, 5, 2, 3, 3, 0, 0, 1},
            {3, 6, 6, 2, 3, 3, 3, 1, 1, 0},
            {2, 5, 7, 4, 3, 3, 3, 0, 0, 0},
            {2, 6, 5, 3, 2, 3, 2, 1, 0, 0},
            {1, 9, 8, 2, 5, 5, 5, 0, 0, 1},
            {2, 4, 6, 3, 3, 2, 2, 0, 0, 1},
            {1, 3, 3, 8, 8, 3, 3, 0, 0, 1}};

    @Test
    void equalsLibnd4jInDouble() {
        for (int[] c : CASES) {
            check(c, DataType.DOUBLE, 1e-12);
        }
    }

    @Test
    void equalsLibnd4jInFloat() {
        for (int[] c : CASES) {
            check(c, DataType.FLOAT, 1e-6);
        }
    }

    @Test
    void rejectsPaddingBeyondTheKernel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ShiftedGemmConvolution(new int[] {3, 3}, new int[] {3, 1}, PaddingMode.VALID));
        assertTrue(e.getMessage().contains("padding 3x1"), e.getMessage());
    }

    private static void check(int[] c, DataType dt, double tolerance) {
        Nd4j.getRandom().setSeed(Arrays.hashCode(c));
        ConvOperation op = new ConvOperation();
        op.setKernelSize(new int[] {c[5], c[6]});
        op.setPadding(new int[] {c[7], c[8]});
        op.setConvolutionMode(c[9] == 1 ? ConvolutionMode.Same : ConvolutionMode.Truncate);
        op.setDataFormat(CNN2DFormat.NHWC);
        INDArray x = Nd4j.rand(dt, c[0], c[1], c[2], c[3]).subi(0.5);
        INDArray w = Nd4j.rand(dt, c[4], c[3], c[5], c[6]).subi(0.5);
        INDArray bias = Nd4j.rand(dt, c[4]).subi(0.5);
        ShiftedGemmConvolution shifted = new ShiftedGemmConvolution(new int[] {c[5], c[6]}, new int[] {c[7], c[8]},
                c[9] == 1 ? PaddingMode.SAME : PaddingMode.VALID);
        INDArray kernel = w.permute(2, 3, 1, 0);
        String name = Arrays.toString(c) + " " + dt;

        INDArray expected = op.convolve(x, w, bias);
        assertClose(expected, shifted.forward(x, kernel, bias), tolerance, "forward with bias " + name);
        assertClose(op.convolve(x, w, null), shifted.forward(x, kernel, null), tolerance, "forward " + name);

        INDArray delta = Nd4j.rand(dt, expected.shape()).subi(0.5);
        INDArray dx = shifted.inputGradient(kernel, delta);
        assertArrayEquals(x.shape(), dx.shape(), name);
        assertClose(op.inputGradient(x, w, delta), dx, tolerance, "input gradient " + name);
        // a C-ordered YXIO kernel is read in place: the same values
        assertClose(expected, shifted.forward(x, kernel.dup('c'), bias), tolerance, "C-ordered kernel " + name);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = Math.max(1e-30, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " against max value " + scale);
    }
}
