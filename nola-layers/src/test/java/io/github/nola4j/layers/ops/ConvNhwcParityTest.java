package io.github.nola4j.layers.ops;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution core on NHWC activations [mb, h, w, c] equals it on NCHW [mb, c, h, w], the result
 * permuted (float 1e-6 and double 1e-12 of the largest value), with DL4J's kernel layout unchanged: the
 * forward with and without bias, the input gradient (deconv2d, the strided 1x1 grid, conv2d_bp), the kernel
 * gradient from columns, and both training paths' pre-output and gradients, for Same and Truncate modes,
 * strides, explicit padding, dilation, 1x1 kernels and an input gradient that takes a conv2d_bp.
 */
class ConvNhwcParityTest {

    static Stream<Arguments> cases() {
        Stream<Object[]> g = Stream.of(
                new Object[] {ConvolutionMode.Same, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}},
                new Object[] {ConvolutionMode.Same, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}},
                new Object[] {ConvolutionMode.Same, new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}},
                new Object[] {ConvolutionMode.Truncate, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}},
                new Object[] {ConvolutionMode.Truncate, new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 1}},
                new Object[] {ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}},
                new Object[] {ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}});
        return g.flatMap(a -> Stream.of(DataType.FLOAT, DataType.DOUBLE)
                .map(dt -> Arguments.of(a[0], a[1], a[2], a[3], a[4], dt)));
    }

    static ConvOperation geometry(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                  CNN2DFormat format) {
        ConvOperation op = new ConvOperation();
        op.setKernelSize(kernel);
        op.setStride(stride);
        op.setPadding(padding);
        op.setDilation(dilation);
        op.setConvolutionMode(mode);
        op.setDataFormat(format);
        return op;
    }

    static INDArray toNhwc(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup('c');
    }

    /** Asserts {@code nhwc} equals {@code nchw} permuted, to {@code tol} of nchw's largest absolute value. */
    static void assertPermutedEquals(INDArray nchw, INDArray nhwc, double tol, String what) {
        assertEquals(4, nhwc.rank(), what);
        INDArray expected = toNhwc(nchw);
        assertArrayEquals(expected.shape(), nhwc.shape(), what);
        assertClose(expected, nhwc, tol, what);
    }

    static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(scale > 0, what + ": a value to compare");
        assertTrue(diff <= tol * scale, what + " differs by " + diff + " of " + scale);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void nhwcEqualsNchwPermuted(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                DataType dt) {
        double tol = dt == DataType.FLOAT ? 1e-6 : 1e-12;
        ConvOperation nchw = geometry(mode, kernel, stride, padding, dilation, CNN2DFormat.NCHW);
        ConvOperation nhwc = geometry(mode, kernel, stride, padding, dilation, CNN2DFormat.NHWC);
        long nIn = 3;
        long nOut = 4;
        Nd4j.getRandom().setSeed(31);
        INDArray x = Nd4j.randn(dt, 2, nIn, 7, 6);
        INDArray w = Nd4j.randn(dt, nchw.weightShape(nIn, nOut));
        INDArray bias = Nd4j.randn(dt, 1, nOut);
        INDArray xh = toNhwc(x);

        INDArray z = nchw.convolve(x, w, bias);
        assertPermutedEquals(z, nhwc.convolve(xh, w, bias), tol, "forward with bias");
        assertPermutedEquals(nchw.convolve(x, w, null), nhwc.convolve(xh, w, null), tol, "forward without bias");

        INDArray delta = Nd4j.randn(dt, z.shape());
        assertEquals(nchw.inputGradientIsOneConvolution(), nhwc.inputGradientIsOneConvolution());
        assertPermutedEquals(nchw.inputGradient(x, w, delta), nhwc.inputGradient(xh, w, toNhwc(delta)), tol,
                "input gradient");

        int r = 2;
        LowRankUpdate update = new LowRankUpdate(nchw, nchw.weightShape(nIn, nOut),
                Nd4j.randn(dt, nchw.fanIn(nIn), r), Nd4j.randn(dt, r, nOut));
        for (TrainingPath path : new TrainingPath[] {TrainingPath.FACTORISED, TrainingPath.MERGED}) {
            for (boolean dx : new boolean[] {true, false}) {
                String what = path + (dx ? " with dx" : " without dx");
                TrainingStep a = nchw.trainingStep(x, w, bias, update, path, dx);
                TrainingStep b = nhwc.trainingStep(xh, w, bias, update, path, dx);
                assertPermutedEquals(a.preOutput(), b.preOutput(), tol, what + ": z");
                INDArray[] ga = a.backprop(delta.dup());
                INDArray[] gb = b.backprop(toNhwc(delta));
                assertEquals(dx, gb[0] != null, what + ": dx computed");
                if (dx) {
                    assertPermutedEquals(ga[0], gb[0], tol, what + ": dx");
                }
                assertClose(ga[1], gb[1], tol, what + ": dA");
                assertClose(ga[2], gb[2], tol, what + ": dB");
            }
        }
    }

    @Test
    void kernelGradientFromColumnsTakesNhwc() {
        ConvOperation nchw = geometry(ConvolutionMode.Same, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, CNN2DFormat.NCHW);
        ConvOperation nhwc = nchw.copy();
        nhwc.setDataFormat(CNN2DFormat.NHWC);
        Nd4j.getRandom().setSeed(32);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 4, 5, 6);
        INDArray delta = Nd4j.randn(DataType.DOUBLE, 3, 2, 5, 6);
        assertTrue(nhwc.ops().kernelGradientFromColumns(toNhwc(x).shape(), toNhwc(delta).shape()));
        assertClose(nchw.ops().kernelGradientRows(x, delta), nhwc.ops().kernelGradientRows(toNhwc(x), toNhwc(delta)),
                1e-12, "dK from columns");
    }

    @Test
    void nhwcGeometryIsPartOfTheOperation() {
        ConvOperation nchw = new ConvOperation();
        ConvOperation nhwc = new ConvOperation();
        nhwc.setDataFormat(CNN2DFormat.NHWC);
        nhwc.setConvolutionMode(ConvolutionMode.Truncate);
        assertEquals(CNN2DFormat.NCHW, nchw.getDataFormat(), "NCHW by default");
        assertTrue(!nchw.equals(nhwc) && nhwc.equals(nhwc.copy()), "the format tells operations apart");
        assertEquals("NHWC", nhwc.conv2dConfig().getDataFormat());
        InputType out = nhwc.outputType(0, InputType.convolutional(7, 6, 3, CNN2DFormat.NHWC), 4, "c");
        assertEquals(InputType.convolutional(5, 4, 4, CNN2DFormat.NHWC), out);
    }

    @Test
    void wrongInputsAreClearErrors() {
        ConvOperation nhwc = new ConvOperation();
        nhwc.setDataFormat(CNN2DFormat.NHWC);
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
                () -> nhwc.inferNIn(InputType.convolutional(7, 6, 3, CNN2DFormat.NCHW), "conv1"));
        assertTrue(format.getMessage().contains("conv1") && format.getMessage().contains("NCHW")
                && format.getMessage().contains("NHWC"), format.getMessage());
        assertThrows(IllegalArgumentException.class, () -> nhwc.setDataFormat(null));
        // [mb, h, w, c] = [1, 2, 9, 3]: 2 rows are fewer than the 3x3 kernel's span
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> nhwc.convolve(Nd4j.rand(DataType.FLOAT, 1, 2, 9, 3), Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3), null));
        assertTrue(small.getMessage().contains("2x9") && small.getMessage().contains("3x3"), small.getMessage());
    }
}
