package io.github.nola4j.layers;

import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j's 2-D convolution operations for one geometry, NCHW activations and kernels in the
 * YXIO layout [kH, kW, nIn, nOut]:
 * <ul>
 *   <li>{@link #forward}: conv2d, z [mb, nOut, oH, oW];</li>
 *   <li>{@link #backprop}: conv2d_bp, input gradient and kernel gradient together;</li>
 *   <li>{@link #inputGradient}: conv2d_input_bp, the input gradient alone (the transposed convolution
 *       of δ with the kernel), no kernel gradient.</li>
 * </ul>
 */
final class Conv2dOps {

    /** 1x1, stride 1, unpadded: the s·B part of the factorised convolution. */
    static final Conv2dOps POINTWISE = new Conv2dOps(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
            new int[] {1, 1}, PaddingMode.VALID);

    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final PaddingMode mode;

    Conv2dOps(int[] kernel, int[] stride, int[] padding, int[] dilation, PaddingMode mode) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.mode = mode;
    }

    Conv2DConfig config() {
        return new Conv2DConfig(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], mode, Conv2DConfig.NCHW, WeightsFormat.YXIO);
    }

    private int[] intArgs() {
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                dilation[1], mode.index, 0, WeightsFormat.YXIO.ordinal()};
    }

    /**
     * @param x      [mb, nIn, h, w]
     * @param kernel [kH, kW, nIn, nOut]
     * @param bias   [nOut] or null
     * @return [mb, nOut, oH, oW]
     */
    INDArray forward(INDArray x, INDArray kernel, INDArray bias) {
        return bias == null ? Nd4j.cnn().conv2d(x, kernel, config()) : Nd4j.cnn().conv2d(x, kernel, bias, config());
    }

    /**
     * @param bias  [nOut] or null (its gradient is computed and dropped)
     * @param delta dL/dz [mb, nOut, oH, oW]
     * @return {dL/dx [mb, nIn, h, w], dL/dkernel [kH, kW, nIn, nOut]}
     */
    INDArray[] backprop(INDArray x, INDArray kernel, INDArray bias, INDArray delta) {
        INDArray dx = Nd4j.createUninitialized(x.dataType(), x.shape());
        INDArray dKernel = Nd4j.createUninitialized(kernel.dataType(), kernel.shape());
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(intArgs());
        if (bias == null) {
            op.addInputs(x, kernel, delta).addOutputs(dx, dKernel);
        } else {
            op.addInputs(x, kernel, bias, delta)
                    .addOutputs(dx, dKernel, Nd4j.createUninitialized(bias.dataType(), bias.length()));
        }
        Nd4j.exec(op.build());
        return new INDArray[] {dx, dKernel};
    }

    /**
     * @param inputShape [mb, nIn, h, w] of the convolution's input
     * @param kernel     [kH, kW, nIn, nOut]
     * @param delta      dL/dz [mb, nOut, oH, oW]
     * @return dL/dx [mb, nIn, h, w]
     */
    INDArray inputGradient(long[] inputShape, INDArray kernel, INDArray delta) {
        INDArray dx = Nd4j.createUninitialized(delta.dataType(), inputShape);
        Nd4j.exec(DynamicCustomOp.builder("conv2d_input_bp").addIntegerArguments(intArgs())
                .addInputs(Nd4j.createFromArray(inputShape), kernel, delta).addOutputs(dx).build());
        return dx;
    }
}
