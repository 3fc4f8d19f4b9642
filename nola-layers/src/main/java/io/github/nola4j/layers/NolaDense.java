package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.Map;

/**
 * A fully connected layer with a frozen weight and a NOLA update, in DL4J's orientation:
 * <pre>
 *   y = act(x·W + b + s·(x·A)·B)
 *   x [mb, nIn], W [nIn, nOut] (frozen), b [1, nOut] (frozen), y [mb, nOut]
 *   A = cA·Σ α_i A_i  [nIn, r],   B = cB·Σ β_j B_j  [r, nOut]   (see {@link NolaLayer})
 * </pre>
 * W and b have the layout of DL4J's {@code DenseLayer}, so pretrained values copy straight across.
 * Only α [1, k] and β [1, l] train.
 *
 * <pre>
 *   new NolaDense.Builder().nIn(784).nOut(128).rank(4).numBasesA(64).numBasesB(64)
 *       .basisSeed(42).scale(0.25).activation(Activation.RELU).build();
 * </pre>
 */
public class NolaDense extends NolaLayer {

    protected NolaDense(Builder b) {
        super(b);
    }

    /** No-arg constructor for JSON. */
    protected NolaDense() {
    }

    @Override
    public long fanIn() {
        return nIn;
    }

    @Override
    protected long[] weightShape() {
        return new long[] {nIn, nOut};
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable w = new StopGradient(sd, params.get(WEIGHT_KEY)).outputVariable();
        SDVariable z = x.mmul(w);
        if (hasBias) {
            z = z.add(new StopGradient(sd, params.get(BIAS_KEY)).outputVariable());
        }
        SDVariable[] ab = defineFactors(sd, params, w.dataType());
        return activate(sd, z.add(x.mmul(ab[0]).mmul(ab[1])));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(nOut);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn > 0 && !override) {
            return;
        }
        long inferred = switch (inputType.getType()) {
            case FF -> ((InputType.InputTypeFeedForward) inputType).getSize();
            case CNNFlat -> ((InputType.InputTypeConvolutionalFlat) inputType).getFlattenedSize();
            case CNN -> inputType.arrayElementsPerExample();
            default -> throw new IllegalArgumentException("NolaDense \"" + layerName + "\": input type " + inputType
                    + " is not supported; feed it feed-forward or convolutional activations");
        };
        setNIn(inferred);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType.getType() == InputType.Type.CNN) {
            InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
            return new CnnToFeedForwardPreProcessor(c.getHeight(), c.getWidth(), c.getChannels(), c.getFormat());
        }
        return null;
    }

    /** Builder in DL4J style; every option is checked in {@link #build()}. */
    public static class Builder extends NolaLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public NolaDense build() {
            validate("NolaDense");
            return new NolaDense(this);
        }
    }
}
