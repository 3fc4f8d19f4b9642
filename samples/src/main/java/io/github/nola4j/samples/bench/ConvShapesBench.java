package io.github.nola4j.samples.bench;

import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code convshapes} scenario: zoo ResNet50's nine 1x1 and four 3x3 (Same), stride 1 convolution shapes on
 * NHWC activations (96x96 input, batch 8, float: 24x24 to 3x3 maps), matrix products against libnd4j's conv2d and
 * deconv2d called directly with the same kernel view (3x3: as VALID with padding 1, deconv2d's oneDNN path, as the
 * project passes it), forward and input gradient, all kinds interleaved per shape. 1x1: the project's convolution
 * ({@link ConvOperation#convolve} and {@link ConvOperation#inputGradient}, plain matrix products there) as
 * {@code gemm}. 3x3: {@link ShiftedGemmConvolution} (nine accumulated products over shifted views of the padded
 * input) as {@code shifted}, and the project's forward as {@code project} (libnd4j's, or one product of im2col
 * columns at 3x3 with 512 channels). One line per case,
 * {@code bench convshapes-<h>x<w>-<nIn>to<nOut>[-3x3]-<kind>}, then the medians summed per kernel size.
 */
final class ConvShapesBench {

    /** {h = w, nIn, nOut, k} of ResNet50's stride-1 k x k convolutions at 96x96, stage by stage. */
    private static final int[][] SHAPES = {{24, 64, 64, 1}, {24, 64, 256, 1}, {24, 256, 64, 1}, {12, 512, 128, 1},
            {12, 128, 512, 1}, {6, 1024, 256, 1}, {6, 256, 1024, 1}, {3, 2048, 512, 1}, {3, 512, 2048, 1},
            {24, 64, 64, 3}, {12, 128, 128, 3}, {6, 256, 256, 3}, {3, 512, 512, 3}};
    private static final int BATCH = 8;
    /**
     * @return libnd4j's conv2d/deconv2d arguments: k x k, stride 1, padding (k − 1)/2 (none for 1x1; an odd kernel's
     *         Same padding, passed as VALID as the project passes it to deconv2d), dilation 1, NHWC, YXIO kernel
     */
    private static int[] libnd4jArgs(int k) {
        return new int[] {k, k, 1, 1, (k - 1) / 2, (k - 1) / 2, 1, 1, PaddingMode.VALID.index, 1,
                WeightsFormat.YXIO.ordinal()};
    }

    private ConvShapesBench() {
    }

    static void run(PrintStream out, int warmup, int runs) {
        Map<String, Double> sums = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(12);
        for (int[] s : SHAPES) {
            ConvOperation op = new ConvOperation();
            op.setKernelSize(new int[] {s[3], s[3]});
            op.setConvolutionMode(s[3] == 1 ? ConvolutionMode.Truncate : ConvolutionMode.Same);
            op.setDataFormat(CNN2DFormat.NHWC);
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, s[0], s[0], s[1]);
            INDArray w = Nd4j.rand(DataType.FLOAT, s[2], s[1], s[3], s[3]);
            INDArray delta = Nd4j.rand(DataType.FLOAT, BATCH, s[0], s[0], s[2]);
            INDArray kernel = w.permute(2, 3, 1, 0);
            int[] args = libnd4jArgs(s[3]);
            Map<String, Runnable> cases = new LinkedHashMap<>();
            if (s[3] == 1) {
                cases.put("forward_gemm", () -> op.convolve(x, w, null));
                cases.put("forward_libnd4j", () -> libnd4j("conv2d", x, kernel, s[2], args));
                cases.put("input_gradient_gemm", () -> op.inputGradient(x, w, delta));
                cases.put("input_gradient_libnd4j", () -> libnd4j("deconv2d", delta, kernel, s[1], args));
            } else {
                ShiftedGemmConvolution shifted = new ShiftedGemmConvolution(new int[] {s[3], s[3]}, new int[] {0, 0},
                        PaddingMode.SAME);
                cases.put("forward_shifted", () -> shifted.forward(x, kernel, null));
                cases.put("forward_libnd4j", () -> libnd4j("conv2d", x, kernel, s[2], args));
                cases.put("forward_project", () -> op.convolve(x, w, null));
                cases.put("input_gradient_shifted", () -> shifted.inputGradient(kernel, delta));
                cases.put("input_gradient_libnd4j", () -> libnd4j("deconv2d", delta, kernel, s[1], args));
            }
            String shape = s[0] + "x" + s[0] + "-" + s[1] + "to" + s[2] + (s[3] == 1 ? "" : "-" + s[3] + "x" + s[3]);
            Timing.interleaved(cases, warmup, runs).forEach((kind, t) -> {
                out.println("bench convshapes-" + shape + "-" + kind + " " + t.format());
                sums.merge(s[3] + "x" + s[3] + "-" + kind, t.median(), Double::sum);
            });
        }
        sums.forEach((kind, ms) -> out.printf("bench convshapes-sum-%s median_ms=%.3f%n", kind, ms));
    }

    /** @return libnd4j's {@code name} (conv2d or deconv2d) of {@code in} with the kernel, {@code channels} out */
    private static INDArray libnd4j(String name, INDArray in, INDArray kernel, long channels, int[] args) {
        INDArray out = Nd4j.createUninitialized(in.dataType(), in.size(0), in.size(1), in.size(2), channels);
        Nd4j.exec(DynamicCustomOp.builder(name).addInputs(in, kernel).addIntegerArguments(args)
                .addOutputs(out).build());
        return out;
    }
}
