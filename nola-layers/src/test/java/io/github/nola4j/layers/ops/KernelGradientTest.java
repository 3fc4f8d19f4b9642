package io.github.nola4j.layers.ops;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factorised convolution step without input gradient takes dA from im2col
 * ({@link Conv2dOps#kernelGradientRows}); with it, from conv2d_bp. Both give the same dA and dB
 * (double, 1e-12 of the largest value) for Same and Truncate modes, strides, padding, dilation and
 * an even kernel; a Same layer padded more after its input than before it keeps conv2d_bp.
 */
class KernelGradientTest {

    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Same, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, false),
                Arguments.of(ConvolutionMode.Same, new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}, false),
                Arguments.of(ConvolutionMode.Same, new int[] {5, 5}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Truncate, new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 1}, true),
                Arguments.of(ConvolutionMode.Truncate, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void kernelGradientFromColumnsEqualsConv2dBp(ConvolutionMode mode, int[] kernel, int[] stride, int[] padding,
                                                 int[] dilation, boolean columns) {
        ConvOperation op = ConvNhwcParityTest.geometry(mode, kernel, stride, padding, dilation, CNN2DFormat.NCHW);
        long nIn = 3;
        long nOut = 4;
        int r = 2;
        Nd4j.getRandom().setSeed(21);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, nIn, 7, 6);
        INDArray w = Nd4j.randn(DataType.DOUBLE, op.weightShape(nIn, nOut));
        INDArray bias = Nd4j.randn(DataType.DOUBLE, nOut);
        LowRankUpdate update = new LowRankUpdate(op, op.weightShape(nIn, nOut),
                Nd4j.randn(DataType.DOUBLE, op.fanIn(nIn), r), Nd4j.randn(DataType.DOUBLE, r, nOut));
        FactorisedConvStep withDx = new FactorisedConvStep(op.ops(), x, w, bias, update, true);
        FactorisedConvStep withoutDx = new FactorisedConvStep(op.ops(), x, w, bias, update, false);
        INDArray delta = Nd4j.randn(DataType.DOUBLE, withDx.preOutput().shape());
        INDArray[] expected = withDx.backprop(delta.dup());
        INDArray[] actual = withoutDx.backprop(delta.dup());
        assertNull(actual[0], "no input gradient");
        assertEquals(columns, op.ops().kernelGradientFromColumns(x.shape(), withDx.preOutput().shape()),
                "dA from im2col");
        for (int i = 1; i < 3; i++) {
            assertArrayEquals(expected[i].shape(), actual[i].shape());
            double scale = expected[i].amaxNumber().doubleValue();
            double diff = expected[i].sub(actual[i]).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-12 * scale, (i == 1 ? "dA" : "dB") + " differs by " + diff + " of " + scale);
        }
    }

    /** Columns made a few examples at a time give the very bits of the whole batch's columns at once. */
    @Test
    void columnChunksGiveTheSameBits() {
        Conv2dOps ops = new Conv2dOps(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1},
                PaddingMode.SAME);
        Nd4j.getRandom().setSeed(22);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 3, 6, 7);
        INDArray delta = Nd4j.randn(DataType.FLOAT, 5, 2, 6, 7);
        long exampleBytes = 3 * 3 * 3 * 6 * 7 * 4;
        INDArray whole = ops.kernelGradientRows(x, delta, Long.MAX_VALUE);
        for (long chunkBytes : new long[] {1, 2 * exampleBytes, 3 * exampleBytes + 1, Conv2dOps.COLUMN_CHUNK_BYTES}) {
            INDArray chunked = ops.kernelGradientRows(x, delta, chunkBytes);
            assertArrayEquals(whole.shape(), chunked.shape());
            assertArrayEquals(whole.dup('c').data().asFloat(), chunked.dup('c').data().asFloat(),
                    "chunks of " + chunkBytes + " bytes");
        }
        assertTrue(whole.amaxNumber().doubleValue() > 0, "a gradient to compare");
    }
}
