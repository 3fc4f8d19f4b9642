package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A 2-D convolution with a frozen kernel and a NOLA update of the flattened kernel:
 * <pre>
 *   y = act(conv(x, W + s·ΔW) + b)
 *   x [mb, nIn, h, w] (NCHW), W [nOut, nIn, kH, kW] (frozen, DL4J's ConvolutionLayer layout),
 *   b [1, nOut] (frozen), y [mb, nOut, h', w']
 *   ΔW = reshape((A·B)ᵀ, [nOut, nIn, kH, kW]),  A [nIn·kH·kW, r],  B [r, nOut]
 * </pre>
 * with A and B mixtures of seeded bases as in {@link NolaLayer}. Stride, padding, dilation and
 * {@link ConvolutionMode} (Same, Truncate, Strict) behave as in DL4J's {@link ConvolutionLayer}.
 * Only NCHW data is supported; other options are rejected by {@link Builder#build()}.
 */
public class NolaConv2d extends NolaLayer {

    private int[] kernelSize;
    private int[] stride;
    private int[] padding;
    private int[] dilation;
    private ConvolutionMode convolutionMode;

    protected NolaConv2d(Builder b) {
        super(b);
        this.kernelSize = b.kernelSize.clone();
        this.stride = b.stride.clone();
        this.padding = b.padding.clone();
        this.dilation = b.dilation.clone();
        this.convolutionMode = b.convolutionMode;
    }

    /** No-arg constructor for JSON. */
    protected NolaConv2d() {
    }

    @Override
    public long fanIn() {
        return nIn * kernelSize[0] * kernelSize[1];
    }

    @Override
    protected long[] weightShape() {
        return new long[] {nOut, nIn, kernelSize[0], kernelSize[1]};
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable w = new StopGradient(sd, params.get(WEIGHT_KEY)).outputVariable();
        SDVariable[] ab = defineFactors(sd, params, w.dataType());
        SDVariable delta = ab[0].mmul(ab[1]).permute(1, 0).reshape(weightShape());
        SDVariable kernelYxio = w.add(delta).permute(2, 3, 1, 0);
        Conv2DConfig cfg = new Conv2DConfig(kernelSize[0], kernelSize[1], stride[0], stride[1], padding[0],
                padding[1], dilation[0], dilation[1],
                convolutionMode == ConvolutionMode.Same ? PaddingMode.SAME : PaddingMode.VALID,
                Conv2DConfig.NCHW, WeightsFormat.YXIO);
        SDVariable z;
        if (hasBias) {
            SDVariable b = new StopGradient(sd, params.get(BIAS_KEY)).outputVariable().reshape(nOut);
            z = sd.cnn().conv2d(x, kernelYxio, b, cfg);
        } else {
            z = sd.cnn().conv2d(x, kernelYxio, cfg);
        }
        return activate(sd, z);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.CNN) {
            throw new IllegalArgumentException("NolaConv2d \"" + layerName + "\" (index " + layerIndex
                    + "): expected convolutional input, got " + inputType);
        }
        return InputTypeUtil.getOutputTypeCnnLayers(inputType, kernelSize, stride, padding, dilation,
                convolutionMode, nOut, layerIndex, layerName, CNN2DFormat.NCHW, ConvolutionLayer.class);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn > 0 && !override) {
            return;
        }
        if (inputType.getType() != InputType.Type.CNN) {
            throw new IllegalArgumentException("NolaConv2d \"" + layerName + "\": expected convolutional input, got "
                    + inputType + "; set the network's input type with InputType.convolutional(h, w, c)");
        }
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
        if (c.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("NolaConv2d \"" + layerName + "\": input format " + c.getFormat()
                    + " is not supported; use NCHW input");
        }
        setNIn(c.getChannels());
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, layerName);
    }

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        if (convolutionMode == null) {
            convolutionMode = globalConfig.getConvolutionMode();
        }
    }

    @Override
    public long loraRank1Params() {
        return fanIn() + nOut;
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

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        NolaConv2d that = (NolaConv2d) o;
        return Arrays.equals(kernelSize, that.kernelSize) && Arrays.equals(stride, that.stride)
                && Arrays.equals(padding, that.padding) && Arrays.equals(dilation, that.dilation)
                && convolutionMode == that.convolutionMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), Arrays.hashCode(kernelSize), Arrays.hashCode(stride),
                Arrays.hashCode(padding), Arrays.hashCode(dilation), convolutionMode);
    }

    /** Builder in DL4J style; every option is checked in {@link #build()}. */
    public static class Builder extends NolaLayer.Builder<Builder> {
        private int[] kernelSize = {3, 3};
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private int[] dilation = {1, 1};
        private ConvolutionMode convolutionMode;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

        /** Kernel height and width. Default 3x3. */
        public Builder kernelSize(int... kernelSize) {
            this.kernelSize = pair(kernelSize, "kernelSize");
            return this;
        }

        public Builder stride(int... stride) {
            this.stride = pair(stride, "stride");
            return this;
        }

        /** Zero padding (ignored in {@link ConvolutionMode#Same}, as in DL4J). */
        public Builder padding(int... padding) {
            this.padding = pair(padding, "padding");
            return this;
        }

        public Builder dilation(int... dilation) {
            this.dilation = pair(dilation, "dilation");
            return this;
        }

        /** Same, Truncate or Strict. Default: the network's (Truncate, as DL4J). */
        public Builder convolutionMode(ConvolutionMode mode) {
            this.convolutionMode = mode;
            return this;
        }

        /** Only {@link CNN2DFormat#NCHW} is supported. */
        public Builder dataFormat(CNN2DFormat format) {
            this.dataFormat = format;
            return this;
        }

        private int[] pair(int[] values, String option) {
            if (values == null || values.length < 1 || values.length > 2) {
                throw new IllegalArgumentException("NolaConv2d: " + option + " = " + Arrays.toString(values)
                        + " must have 1 or 2 values (height, width)");
            }
            return values.length == 1 ? new int[] {values[0], values[0]} : values.clone();
        }

        @Override
        @SuppressWarnings("unchecked")
        public NolaConv2d build() {
            validate("NolaConv2d");
            String name = layerName == null ? "NolaConv2d" : "NolaConv2d \"" + layerName + "\"";
            require(kernelSize[0] > 0 && kernelSize[1] > 0, name, "kernelSize", Arrays.toString(kernelSize),
                    "must be > 0", "use e.g. .kernelSize(3, 3)");
            require(stride[0] > 0 && stride[1] > 0, name, "stride", Arrays.toString(stride), "must be > 0",
                    "use e.g. .stride(1, 1)");
            require(dilation[0] > 0 && dilation[1] > 0, name, "dilation", Arrays.toString(dilation), "must be > 0",
                    "use e.g. .dilation(1, 1)");
            require(padding[0] >= 0 && padding[1] >= 0, name, "padding", Arrays.toString(padding), "must be >= 0",
                    "use e.g. .padding(0, 0)");
            require(convolutionMode == null || convolutionMode == ConvolutionMode.Same
                            || convolutionMode == ConvolutionMode.Truncate || convolutionMode == ConvolutionMode.Strict,
                    name, "convolutionMode", convolutionMode, "is not supported",
                    "use ConvolutionMode.Same, Truncate or Strict");
            require(dataFormat == CNN2DFormat.NCHW, name, "dataFormat", dataFormat, "is not supported",
                    "use CNN2DFormat.NCHW");
            return new NolaConv2d(this);
        }
    }
}
