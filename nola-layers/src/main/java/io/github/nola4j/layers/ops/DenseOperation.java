package io.github.nola4j.layers.ops;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fully connected: {@code z = x·W + b + (x·A)·B}, x [mb, nIn], W [nIn, nOut] as DL4J's DenseLayer.
 * The update is applied in factored form, so ΔW [nIn, nOut] is never built in training
 * ({@link DenseStep}).
 */
public final class DenseOperation implements LayerOperation {

    /** The only instance: a dense layer has no geometry of its own. */
    public static final DenseOperation INSTANCE = new DenseOperation();

    private DenseOperation() {
    }

    @Override
    public long fanIn(long nIn) {
        return nIn;
    }

    @Override
    public long[] weightShape(long nIn, long nOut) {
        return new long[] {nIn, nOut};
    }

    @Override
    public SDVariable forward(SameDiff sd, SDVariable x, SDVariable w, SDVariable bias, SDVariable a, SDVariable b,
                              long nIn, long nOut) {
        SDVariable z = x.mmul(w);
        if (bias != null) {
            z = z.add(bias);
        }
        return z.add(x.mmul(a).mmul(b));
    }

    @Override
    public INDArray preOutput(INDArray x, INDArray w, INDArray bias, LowRankUpdate update) {
        INDArray xc = DenseStep.contiguous(x);
        return DenseStep.preOutput(xc, w, bias, BlasProduct.of(xc, update.a(), false, false), update.b());
    }

    /** @return a {@link DenseStep}: the dense update always trains in factored form */
    @Override
    public TrainingStep trainingStep(INDArray x, INDArray w, INDArray bias, LowRankUpdate update, TrainingPath path,
                                     boolean inputGradient) {
        return new DenseStep(x, w, bias, update.a(), update.b(), inputGradient);
    }

    @Override
    public InputType outputType(int layerIndex, InputType inputType, long nOut, String layerName) {
        return InputType.feedForward(nOut);
    }

    @Override
    public long inferNIn(InputType inputType, String layerName) {
        return switch (inputType.getType()) {
            case FF -> ((InputType.InputTypeFeedForward) inputType).getSize();
            case CNNFlat -> ((InputType.InputTypeConvolutionalFlat) inputType).getFlattenedSize();
            case CNN -> inputType.arrayElementsPerExample();
            default -> throw new IllegalArgumentException("Dense layer \"" + layerName + "\": input type " + inputType
                    + " is not supported; feed it feed-forward or convolutional activations");
        };
    }

    @Override
    public InputPreProcessor preProcessor(InputType inputType, String layerName) {
        if (inputType.getType() == InputType.Type.CNN) {
            InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
            return new CnnToFeedForwardPreProcessor(c.getHeight(), c.getWidth(), c.getChannels(), c.getFormat());
        }
        return null;
    }
}
