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
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.function.Function;
import java.util.stream.Stream;

import static io.github.nola4j.layers.ops.ConvNhwcParityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NhwcPointwiseGemm}, which {@link Conv2dOps} takes for a 1x1, stride 1 convolution on NHWC activations,
 * equals libnd4j's own conv2d, deconv2d (input gradient) and conv2d_bp called directly, and
 * {@link ColumnKernelGradient}'s rows from im2col of the NCHW copies: float 1e-6 and double 1e-12 of the largest
 * value, with and without bias, for odd sizes, a 1x1 map, one input or output channel, and kernels held as a
 * permuted DL4J weight [nOut, nIn, 1, 1] (read as Kᵀ), as a contiguous YXIO array, and as a strided view (copied).
 */
class NhwcPointwiseGemmTest {

    /** The kernel layouts {@link NhwcPointwiseGemm} reads: {@code [nOut, nIn]} values as a [1, 1, nIn, nOut] kernel. */
    static Stream<Function<INDArray, INDArray>> layouts() {
        return Stream.of(
                w -> w.reshape('c', w.size(0), w.size(1), 1, 1).permute(2, 3, 1, 0),   // DL4J weight, permuted
                w -> w.transpose().dup('c').reshape('c', 1, 1, w.size(1), w.size(0)), // contiguous YXIO
                NhwcPointwiseGemmTest::stridedView);
    }

    /** @return w's values as a [1, 1, nIn, nOut] view of every other element of a larger array */
    private static INDArray stridedView(INDArray w) {
        INDArray wide = Nd4j.create(w.dataType(), w.size(0), w.size(1), 1, 2);
        wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.point(0)).assign(w);
        return wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 1))
                .permute(2, 3, 1, 0);
    }

    static Stream<Arguments> cases() {
        long[][] shapes = {{2, 7, 5, 3, 4}, {3, 1, 1, 6, 5}, {1, 4, 3, 1, 4}, {2, 3, 5, 4, 1}, {4, 6, 6, 16, 8}};
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(dt -> Stream.of(shapes)
                .flatMap(s -> Stream.of(PaddingMode.VALID, PaddingMode.SAME).map(mode -> Arguments.of(dt, s, mode))));
    }

    private static int[] args(PaddingMode mode) {
        return new int[] {1, 1, 1, 1, 0, 0, 1, 1, mode.index, 1, WeightsFormat.YXIO.ordinal()};
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matrixProductsEqualLibnd4j(DataType dt, long[] shape, PaddingMode mode) {
        double tol = dt == DataType.FLOAT ? 1e-6 : 1e-12;
        long mb = shape[0];
        long h = shape[1];
        long w = shape[2];
        long nIn = shape[3];
        long nOut = shape[4];
        Nd4j.getRandom().setSeed(41);
        INDArray x = Nd4j.randn(dt, mb, h, w, nIn);
        INDArray delta = Nd4j.randn(dt, mb, h, w, nOut);
        INDArray bias = Nd4j.randn(dt, nOut);
        INDArray weight = Nd4j.randn(dt, nOut, nIn);
        Conv2dOps ops = new Conv2dOps(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, mode,
                true);
        layouts().forEach(layout -> {
            INDArray kernel = layout.apply(weight);
            INDArray yxio = kernel.dup('c');
            for (INDArray b : new INDArray[] {bias, null}) {
                INDArray z = Nd4j.create(dt, mb, h, w, nOut);
                DynamicCustomOp.DynamicCustomOpsBuilder conv = DynamicCustomOp.builder("conv2d")
                        .addIntegerArguments(args(mode)).addOutputs(z);
                Nd4j.exec((b == null ? conv.addInputs(x, yxio) : conv.addInputs(x, yxio, b)).build());
                assertClose(z, ops.forward(x, kernel, b), tol, "forward, bias " + (b != null));
            }
            INDArray dx = Nd4j.create(dt, mb, h, w, nIn);
            INDArray dK = Nd4j.create(dt, 1, 1, nIn, nOut);
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, yxio, delta).addOutputs(dx, dK)
                    .addIntegerArguments(args(mode)).build());
            INDArray[] grads = ops.backprop(x, kernel, null, delta);
            assertClose(dx, grads[0], tol, "backprop dx");
            assertClose(dK, grads[1], tol, "backprop dK");
            INDArray transposed = Nd4j.create(dt, mb, h, w, nIn);
            Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(delta, yxio).addOutputs(transposed)
                    .addIntegerArguments(args(PaddingMode.VALID)).build());
            assertClose(transposed, ops.inputGradient(x, kernel, delta), tol, "input gradient");
        });
        INDArray rows = new ColumnKernelGradient(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, mode).rows(x.permute(0, 3, 1, 2).dup('c'), delta.permute(0, 3, 1, 2).dup('c'));
        assertTrue(ops.kernelGradientFromColumns(x.shape(), delta.shape()));
        assertClose(rows, ops.kernelGradientRows(x, delta), tol, "kernel gradient rows");
    }

    @Test
    void onlyUnpaddedStrideOnePointwiseNhwcIsAMatrixProduct() {
        int[] one = {1, 1};
        int[] none = {0, 0};
        assertTrue(NhwcPointwiseGemm.applies(one, one, none, PaddingMode.VALID, true));
        assertTrue(NhwcPointwiseGemm.applies(one, one, new int[] {1, 0}, PaddingMode.SAME, true));
        assertFalse(NhwcPointwiseGemm.applies(one, one, none, PaddingMode.VALID, false), "NCHW");
        assertFalse(NhwcPointwiseGemm.applies(one, new int[] {2, 2}, none, PaddingMode.VALID, true), "strided");
        assertFalse(NhwcPointwiseGemm.applies(one, new int[] {1, 2}, none, PaddingMode.SAME, true), "strided");
        assertFalse(NhwcPointwiseGemm.applies(new int[] {3, 3}, one, none, PaddingMode.SAME, true), "3x3");
        assertFalse(NhwcPointwiseGemm.applies(new int[] {1, 3}, one, none, PaddingMode.SAME, true), "1x3");
        assertFalse(NhwcPointwiseGemm.applies(one, one, new int[] {0, 1}, PaddingMode.VALID, true), "padded");
    }
}
