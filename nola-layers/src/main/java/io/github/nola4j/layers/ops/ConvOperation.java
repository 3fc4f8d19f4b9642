package io.github.nola4j.layers.ops;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Arrays;
import java.util.Objects;

/**
 * 2-D convolution on NCHW [mb, c, h, w] or NHWC [mb, h, w, c] activations ({@link #getDataFormat}; the shapes
 * below are NCHW's), with DL4J ConvolutionLayer's kernel layout W [nOut, nIn, kH, kW] in both:
 * <pre>
 *   z = conv(x, W + s·ΔW) + b,   ΔW = reshape((A·B)ᵀ, [nOut, nIn, kH, kW]),  A [nIn·kH·kW, r]
 * </pre>
 * Kernel size, stride, padding, dilation and {@link ConvolutionMode} (Same, Truncate, Strict)
 * behave as in {@link ConvolutionLayer}. Training takes the {@link TrainingPath} that
 * {@link ConvPathRule} finds cheaper; inference convolves once with the merged kernel.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ConvOperation implements LayerOperation {

    private int[] kernelSize = {3, 3};
    private int[] stride = {1, 1};
    private int[] padding = {0, 0};
    private int[] dilation = {1, 1};
    private ConvolutionMode convolutionMode;
    private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

    /** A 3x3, stride 1, unpadded geometry whose mode comes from the network (Truncate by default). */
    public ConvOperation() {
    }

    /** @return the geometry of DL4J's {@code layer}: its kernel size, stride, padding, dilation, mode and data format */
    public static ConvOperation of(ConvolutionLayer layer) {
        ConvOperation c = new ConvOperation();
        c.setKernelSize(layer.getKernelSize());
        c.setStride(layer.getStride());
        c.setPadding(layer.getPadding());
        c.setDilation(layer.getDilation());
        c.setConvolutionMode(layer.getConvolutionMode());
        c.setDataFormat(layer.getCnn2dDataFormat());
        return c;
    }

    public ConvOperation copy() {
        ConvOperation c = new ConvOperation();
        c.kernelSize = kernelSize.clone();
        c.stride = stride.clone();
        c.padding = padding.clone();
        c.dilation = dilation.clone();
        c.convolutionMode = convolutionMode;
        c.dataFormat = dataFormat;
        return c;
    }

    @Override
    public long fanIn(long nIn) {
        return nIn * kernelSize[0] * kernelSize[1];
    }

    @Override
    public long[] weightShape(long nIn, long nOut) {
        return new long[] {nOut, nIn, kernelSize[0], kernelSize[1]};
    }

    @Override
    public SDVariable forward(SameDiff sd, SDVariable x, SDVariable w, SDVariable bias, SDVariable a, SDVariable b,
                              long nIn, long nOut) {
        SDVariable kernelYxio = LowRankUpdate.defineMergedKernel(w, a, b, weightShape(nIn, nOut));
        Conv2DConfig cfg = conv2dConfig();
        return bias == null ? sd.cnn().conv2d(x, kernelYxio, cfg)
                : sd.cnn().conv2d(x, kernelYxio, bias.reshape(nOut), cfg);
    }

    /** @return libnd4j's configuration of a conv2d with this geometry and data format and a YXIO kernel */
    public Conv2DConfig conv2dConfig() {
        return ops().config();
    }

    /** @return libnd4j's convolution operations with this geometry */
    Conv2dOps ops() {
        return new Conv2dOps(kernelSize, stride, padding, dilation,
                convolutionMode == ConvolutionMode.Same ? PaddingMode.SAME : PaddingMode.VALID,
                dataFormat == CNN2DFormat.NHWC);
    }

    @Override
    public INDArray preOutput(INDArray x, INDArray w, INDArray bias, LowRankUpdate update) {
        return ops().forward(x, update.mergedKernel(w), bias == null ? null : bias.reshape(bias.length()));
    }

    /**
     * The convolution of a frozen DL4J ConvolutionLayer on libnd4j's conv2d (oneDNN), no update:
     * {@code z = conv(x, W) + b}.
     *
     * @param x    [mb, nIn, h, w] (NCHW) or [mb, h, w, nIn] (NHWC)
     * @param w    DL4J's kernel [nOut, nIn, kH, kW]
     * @param bias b (any shape of nOut values) or null
     * @return z [mb, nOut, oH, oW] or [mb, oH, oW, nOut], in the current workspace
     */
    public INDArray convolve(INDArray x, INDArray w, INDArray bias) {
        return ops().forward(x, w.permute(2, 3, 1, 0), bias == null ? null : bias.reshape(bias.length()));
    }

    /**
     * The input gradient of {@link #convolve} (no kernel gradient where one convolution gives it;
     * see {@link #inputGradientIsOneConvolution()}): {@code dL/dx = convᵀ(δ, W)}.
     *
     * @param x     the forward's input, in the data format
     * @param w     [nOut, nIn, kH, kW]
     * @param delta dL/dz, in the data format
     * @return dL/dx, x's shape, in the current workspace
     */
    public INDArray inputGradient(INDArray x, INDArray w, INDArray delta) {
        return ops().inputGradient(x, w.permute(2, 3, 1, 0), delta);
    }

    /**
     * @return true when {@link #inputGradient} is one convolution (stride 1 with an even Same padding
     *         span or Truncate padding within the kernel's span, or a strided 1x1 kernel), false when
     *         it takes a conv2d_bp whose kernel gradient is dropped
     */
    public boolean inputGradientIsOneConvolution() {
        return ops().inputGradientIsOneConvolution();
    }

    /**
     * @return a {@link FactorisedConvStep} or a {@link MergedConvStep}, as {@code path} says or,
     *         for {@link TrainingPath#AUTO}, as {@link ConvPathRule} chooses
     */
    @Override
    public TrainingStep trainingStep(INDArray x, INDArray w, INDArray bias, LowRankUpdate update, TrainingPath path,
                                     boolean inputGradient) {
        INDArray bias1d = bias == null ? null : bias.reshape(bias.length());
        Conv2dOps ops = ops();
        int inputGradientCost = !inputGradient ? 0 : ops.inputGradientIsOneConvolution() ? 1 : 2;
        TrainingPath chosen = ConvPathRule.resolve(path, update.a().size(0), update.b().size(1), update.a().size(1),
                inputGradientCost);
        return chosen == TrainingPath.FACTORISED
                ? new FactorisedConvStep(ops, x, w, bias1d, update, inputGradient)
                : new MergedConvStep(ops, x, update.mergedKernel(w), bias1d, update, inputGradient);
    }

    @Override
    public InputType outputType(int layerIndex, InputType inputType, long nOut, String layerName) {
        if (inputType == null || inputType.getType() != InputType.Type.CNN) {
            throw new IllegalArgumentException("Convolution layer \"" + layerName + "\" (index " + layerIndex
                    + "): expected convolutional input, got " + inputType);
        }
        return InputTypeUtil.getOutputTypeCnnLayers(inputType, kernelSize, stride, padding, dilation,
                convolutionMode, nOut, layerIndex, layerName, dataFormat, ConvolutionLayer.class);
    }

    @Override
    public long inferNIn(InputType inputType, String layerName) {
        if (inputType.getType() != InputType.Type.CNN) {
            throw new IllegalArgumentException("Convolution layer \"" + layerName + "\": expected convolutional input, got "
                    + inputType + "; set the network's input type with InputType.convolutional(h, w, c)");
        }
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
        if (c.getFormat() != dataFormat) {
            throw new IllegalArgumentException("Convolution layer \"" + layerName + "\": input format " + c.getFormat()
                    + " differs from the layer's data format " + dataFormat + "; give the layer .dataFormat("
                    + c.getFormat() + ") or the network " + dataFormat + " input");
        }
        return c.getChannels();
    }

    @Override
    public InputPreProcessor preProcessor(InputType inputType, String layerName) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, layerName);
    }

    @Override
    public void applyGlobalConfig(NeuralNetConfiguration.Builder globalConfig) {
        if (convolutionMode == null) {
            convolutionMode = globalConfig.getConvolutionMode();
        }
    }

    public void setKernelSize(int[] kernelSize) {
        this.kernelSize = pair(kernelSize, "kernelSize");
    }

    public void setStride(int[] stride) {
        this.stride = pair(stride, "stride");
    }

    public void setPadding(int[] padding) {
        this.padding = pair(padding, "padding");
    }

    public void setDilation(int[] dilation) {
        this.dilation = pair(dilation, "dilation");
    }

    public void setConvolutionMode(ConvolutionMode convolutionMode) {
        this.convolutionMode = convolutionMode;
    }

    /** @param dataFormat the activations' layout, NCHW (the default) or NHWC */
    public void setDataFormat(CNN2DFormat dataFormat) {
        if (dataFormat == null) {
            throw new IllegalArgumentException("Convolution dataFormat = null: use CNN2DFormat.NCHW or NHWC");
        }
        this.dataFormat = dataFormat;
    }

    private static int[] pair(int[] values, String option) {
        if (values == null || values.length < 1 || values.length > 2) {
            throw new IllegalArgumentException("Convolution " + option + " = " + Arrays.toString(values)
                    + " must have 1 or 2 values (height, width)");
        }
        return values.length == 1 ? new int[] {values[0], values[0]} : values.clone();
    }

    /** Checks every option; {@code name} describes the layer in the message. */
    public void validate(String name) {
        OptionCheck.require(kernelSize[0] > 0 && kernelSize[1] > 0, name, "kernelSize",
                Arrays.toString(kernelSize), "must be > 0", "use e.g. .kernelSize(3, 3)");
        OptionCheck.require(stride[0] > 0 && stride[1] > 0, name, "stride", Arrays.toString(stride),
                "must be > 0", "use e.g. .stride(1, 1)");
        OptionCheck.require(dilation[0] > 0 && dilation[1] > 0, name, "dilation", Arrays.toString(dilation),
                "must be > 0", "use e.g. .dilation(1, 1)");
        OptionCheck.require(padding[0] >= 0 && padding[1] >= 0, name, "padding", Arrays.toString(padding),
                "must be >= 0", "use e.g. .padding(0, 0)");
        OptionCheck.require(convolutionMode == null || convolutionMode == ConvolutionMode.Same
                        || convolutionMode == ConvolutionMode.Truncate || convolutionMode == ConvolutionMode.Strict,
                name, "convolutionMode", convolutionMode, "is not supported",
                "use ConvolutionMode.Same, Truncate or Strict");
    }

    public int[] getKernelSize() {
        return kernelSize.clone();
    }

    public int[] getStride() {
        return stride.clone();
    }

    public int[] getPadding() {
        return padding.clone();
    }

    public int[] getDilation() {
        return dilation.clone();
    }

    public ConvolutionMode getConvolutionMode() {
        return convolutionMode;
    }

    public CNN2DFormat getDataFormat() {
        return dataFormat;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConvOperation that)) {
            return false;
        }
        return Arrays.equals(kernelSize, that.kernelSize) && Arrays.equals(stride, that.stride)
                && Arrays.equals(padding, that.padding) && Arrays.equals(dilation, that.dilation)
                && convolutionMode == that.convolutionMode && dataFormat == that.dataFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(kernelSize), Arrays.hashCode(stride), Arrays.hashCode(padding),
                Arrays.hashCode(dilation), convolutionMode, dataFormat);
    }

    @Override
    public String toString() {
        return "ConvOperation(kernel=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", mode="
                + convolutionMode + ", format=" + dataFormat + ")";
    }
}
