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
 * The {@code convshapes} scenario: zoo ResNet50's nine 1x1, stride 1 convolution shapes on NHWC activations
 * (96x96 input, batch 8, float: 24x24 to 3x3 maps), the project's convolution ({@link ConvOperation#convolve} and
 * {@link ConvOperation#inputGradient}, plain matrix products for this case) against libnd4j's conv2d and deconv2d
 * called directly with the same kernel view, all four interleaved per shape. One line per case,
 * {@code bench convshapes-<h>x<w>-<nIn>to<nOut>-<kind>}, then the medians summed over the shapes.
 */
final class ConvShapesBench {

    /** {h = w, nIn, nOut} of ResNet50's stride-1 1x1 convolutions at 96x96, stage by stage. */
    private static final int[][] SHAPES = {{24, 64, 64}, {24, 64, 256}, {24, 256, 64}, {12, 512, 128},
            {12, 128, 512}, {6, 1024, 256}, {6, 256, 1024}, {3, 2048, 512}, {3, 512, 2048}};
    private static final int BATCH = 8;
    /** libnd4j's conv2d/deconv2d arguments: 1x1, stride 1, no padding, dilation 1, VALID, NHWC, YXIO kernel. */
    private static final int[] LIBND4J_ARGS = {1, 1, 1, 1, 0, 0, 1, 1, PaddingMode.VALID.index, 1,
            WeightsFormat.YXIO.ordinal()};

    private ConvShapesBench() {
    }

    static void run(PrintStream out, int warmup, int runs) {
        ConvOperation op = new ConvOperation();
        op.setKernelSize(new int[] {1, 1});
        op.setConvolutionMode(ConvolutionMode.Truncate);
        op.setDataFormat(CNN2DFormat.NHWC);
        Map<String, Double> sums = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(12);
        for (int[] s : SHAPES) {
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, s[0], s[0], s[1]);
            INDArray w = Nd4j.rand(DataType.FLOAT, s[2], s[1], 1, 1);
            INDArray delta = Nd4j.rand(DataType.FLOAT, BATCH, s[0], s[0], s[2]);
            INDArray kernel = w.permute(2, 3, 1, 0);
            Map<String, Runnable> cases = new LinkedHashMap<>();
            cases.put("forward_gemm", () -> op.convolve(x, w, null));
            cases.put("forward_libnd4j", () -> libnd4j("conv2d", x, kernel, s[2]));
            cases.put("input_gradient_gemm", () -> op.inputGradient(x, w, delta));
            cases.put("input_gradient_libnd4j", () -> libnd4j("deconv2d", delta, kernel, s[1]));
            String shape = s[0] + "x" + s[0] + "-" + s[1] + "to" + s[2];
            Timing.interleaved(cases, warmup, runs).forEach((kind, t) -> {
                out.println("bench convshapes-" + shape + "-" + kind + " " + t.format());
                sums.merge(kind, t.median(), Double::sum);
            });
        }
        sums.forEach((kind, ms) -> out.printf("bench convshapes-sum-%s median_ms=%.3f%n", kind, ms));
    }

    /** @return libnd4j's {@code name} (conv2d or deconv2d) of {@code in} with the 1x1 kernel, {@code channels} out */
    private static INDArray libnd4j(String name, INDArray in, INDArray kernel, long channels) {
        INDArray out = Nd4j.createUninitialized(in.dataType(), in.size(0), in.size(1), in.size(2), channels);
        Nd4j.exec(DynamicCustomOp.builder(name).addInputs(in, kernel).addIntegerArguments(LIBND4J_ARGS)
                .addOutputs(out).build());
        return out;
    }
}
