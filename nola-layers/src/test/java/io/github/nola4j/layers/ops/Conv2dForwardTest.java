package io.github.nola4j.layers.ops;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Conv2dOps#forward} (libnd4j's conv2d into an output it sizes itself) equals ND4J's
 * {@code Nd4j.cnn().conv2d} with the same geometry bit for bit, in float and double, with and without
 * bias, for Same and VALID padding, strides, explicit padding, dilation and non-square kernels; an
 * input smaller than the kernel's span is an error naming both (libnd4j itself stopped the JVM there).
 */
class Conv2dForwardTest {

    static Stream<Arguments> geometries() {
        Stream<Object[]> g = Stream.of(
                new Object[] {PaddingMode.SAME, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}},
                new Object[] {PaddingMode.SAME, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}},
                new Object[] {PaddingMode.SAME, new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 0}, new int[] {2, 1}},
                new Object[] {PaddingMode.VALID, new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 1}},
                new Object[] {PaddingMode.VALID, new int[] {3, 2}, new int[] {3, 2}, new int[] {0, 1}, new int[] {2, 1}},
                new Object[] {PaddingMode.VALID, new int[] {1, 1}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}});
        return g.flatMap(a -> Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(dt -> Stream.of(true, false)
                .map(bias -> Arguments.of(a[0], a[1], a[2], a[3], a[4], dt, bias))));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void forwardEqualsNd4jConv2d(PaddingMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                 DataType dataType, boolean withBias) {
        Conv2dOps ops = new Conv2dOps(kernel, stride, padding, dilation, mode);
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(dataType, 2, 3, 9, 8).subi(0.5);
        INDArray k = Nd4j.rand(dataType, kernel[0], kernel[1], 3, 4).subi(0.5);
        INDArray b = withBias ? Nd4j.rand(dataType, 4) : null;
        INDArray expected = b == null ? Nd4j.cnn().conv2d(x, k, ops.config()) : Nd4j.cnn().conv2d(x, k, b, ops.config());
        INDArray actual = ops.forward(x, k, b);
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(dataType, actual.dataType());
        assertEquals(expected, actual);
    }

    @Test
    void inputSmallerThanTheKernelIsAClearError() {
        Conv2dOps ops = new Conv2dOps(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2},
                PaddingMode.VALID);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.forward(x, Nd4j.rand(DataType.FLOAT, 3, 3, 3, 4), null));
        assertTrue(e.getMessage().contains("4x8") && e.getMessage().contains("5x5"), e.getMessage());
    }
}
