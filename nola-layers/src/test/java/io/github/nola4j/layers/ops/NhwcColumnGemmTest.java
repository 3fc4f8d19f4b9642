package io.github.nola4j.layers.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.stream.Stream;

import static io.github.nola4j.layers.ops.ConvNhwcParityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NhwcColumnGemm}, which {@link Conv2dOps#forward} takes for an NHWC convolution with at least
 * {@link NhwcColumnGemm#POSITIONS_PER_CHANNEL} output channels per output position of the batch, equals libnd4j's
 * conv2d called directly: float 1e-6 and double 1e-12 of the largest value, with and without bias, for kernels held
 * as a permuted DL4J weight and as a C-ordered YXIO array (the two layouts read in place), for 3x3, 7x7,
 * even (2x3) and strided 1x1 kernels, strides 1 and 2, Same (with asymmetric padding) and explicit padding, odd and
 * non-square maps, batch 1 and 2.
 */
class NhwcColumnGemmTest {

    /** {mb, h, w, nIn, nOut, kH, kW, sH, sW, pH, pW, Same (1) or explicit padding (0)}, all with nOut ≥ 4·positions. */
    private static final int[][] SHAPES = {
            {1, 3, 3, 5, 40, 3, 3, 1, 1, 0, 0, 1},
            {2, 2, 3, 3, 50, 3, 3, 1, 1, 0, 0, 1},
            {2, 5, 4, 4, 48, 1, 1, 2, 2, 0, 0, 1},
            {1, 5, 5, 3, 40, 3, 3, 2, 2, 1, 1, 0},
            {1, 6, 5, 2, 64, 2, 3, 2, 1, 0, 0, 1},
            {1, 4, 4, 3, 16, 7, 7, 2, 2, 3, 3, 0},
            {1, 6, 6, 3, 40, 3, 3, 2, 2, 0, 0, 1},
            {1, 3, 3, 4, 36, 3, 3, 1, 1, 1, 1, 0}};

    static Stream<Arguments> cases() {
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(dt -> Stream.of(SHAPES).map(s -> Arguments.of(dt, s)));
    }

    private static PaddingMode mode(int[] s) {
        return s[11] == 1 ? PaddingMode.SAME : PaddingMode.VALID;
    }

    private static Conv2dOps ops(int[] s) {
        return new Conv2dOps(new int[] {s[5], s[6]}, new int[] {s[7], s[8]}, new int[] {s[9], s[10]},
                new int[] {1, 1}, mode(s), true);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void columnProductEqualsLibnd4j(DataType dt, int[] s) {
        double tol = dt == DataType.FLOAT ? 1e-6 : 1e-12;
        Nd4j.getRandom().setSeed(Arrays.hashCode(s));
        INDArray x = Nd4j.randn(dt, s[0], s[1], s[2], s[3]);
        INDArray weight = Nd4j.randn(dt, s[4], s[3], s[5], s[6]);
        INDArray bias = Nd4j.randn(dt, s[4]);
        INDArray kernel = weight.permute(2, 3, 1, 0);
        INDArray yxio = kernel.dup('c');
        Conv2dOps ops = ops(s);
        for (INDArray inPlace : new INDArray[] {kernel, yxio}) {
            for (INDArray b : new INDArray[] {bias, null}) {
                check(dt, s, x, inPlace, yxio, b, ops, tol);
            }
        }
    }

    private static void check(DataType dt, int[] s, INDArray x, INDArray kernel, INDArray yxio, INDArray b, Conv2dOps ops,
                              double tol) {
        INDArray z = ops.forward(x, kernel, b);
        long positions = z.size(0) * z.size(1) * z.size(2);
        assertTrue(new NhwcColumnGemm(new int[] {s[5], s[6]}, new int[] {s[7], s[8]}, new int[] {s[9], s[10]},
                mode(s)).applies(positions, kernel), "the case is the column product's: " + Arrays.toString(s));
        INDArray expected = Nd4j.create(dt, z.shape());
        int[] args = {s[5], s[6], s[7], s[8], s[9], s[10], 1, 1, mode(s).index, 1, WeightsFormat.YXIO.ordinal()};
        DynamicCustomOp.DynamicCustomOpsBuilder conv = DynamicCustomOp.builder("conv2d").addIntegerArguments(args)
                .addOutputs(expected);
        Nd4j.exec((b == null ? conv.addInputs(x, yxio) : conv.addInputs(x, yxio, b)).build());
        assertClose(expected, z, tol, "forward " + Arrays.toString(s) + ", bias " + (b != null) + ", kernel strides "
                + Arrays.toString(kernel.stride()));
    }

    @Test
    void takenOnlyForFewPositionsPerChannelAndAKernelReadInPlace() {
        NhwcColumnGemm gemm = new NhwcColumnGemm(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0},
                PaddingMode.SAME);
        INDArray kernel = Nd4j.rand(DataType.FLOAT, 512, 512, 3, 3).permute(2, 3, 1, 0);
        assertTrue(gemm.applies(72, kernel), "ResNet50's 3x3 512→512 at 3x3, batch 8");
        assertTrue(gemm.applies(128, kernel), "exactly 4 channels per position");
        assertFalse(gemm.applies(129, kernel), "fewer than 4 channels per position");
        assertTrue(gemm.applies(72, kernel.dup('c')), "a C-ordered YXIO kernel (a NOLA layer's inference form)");
        assertFalse(gemm.applies(72, kernel.dup('f')), "an F-ordered YXIO kernel is neither layout read in place");
        assertTrue(NhwcColumnGemm.geometryFits(new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, true));
        assertFalse(NhwcColumnGemm.geometryFits(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, true),
                "1x1 stride 1 is NhwcPointwiseGemm's");
        assertFalse(NhwcColumnGemm.geometryFits(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, false), "NCHW");
        assertFalse(NhwcColumnGemm.geometryFits(new int[] {3, 3}, new int[] {1, 1}, new int[] {2, 2}, true), "dilated");
    }
}
