package io.github.nola4j.layers.ops;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * What a low-rank layer computes with its weight: a matrix product ({@link DenseOperation}) or a 2-D
 * convolution ({@link ConvOperation}). Shared by the NOLA and LoRA layers. Serializable, because layer
 * configurations are: DL4J's Spark training broadcasts them with Java serialisation.
 */
public interface LayerOperation extends Serializable {

    /** @return inputs mixed into one output: nIn, or nIn·kH·kW */
    long fanIn(long nIn);

    /** @return the shape of W in the layout of the matching DL4J layer */
    long[] weightShape(long nIn, long nOut);

    /**
     * Defines the pre-activation output in {@code sd}.
     *
     * @param w    frozen weight, {@link #weightShape} layout
     * @param bias frozen bias [1, nOut], or null
     * @param a    A [fanIn, r]
     * @param b    s·B [r, nOut]
     */
    SDVariable forward(SameDiff sd, SDVariable x, SDVariable w, SDVariable bias, SDVariable a, SDVariable b,
                       long nIn, long nOut);

    /**
     * Computes the pre-activation output with ND4J (the direct runtime's inference pass).
     *
     * @param w      frozen weight, {@link #weightShape} layout
     * @param bias   [1, nOut], or null
     * @param update the layer's factors
     * @return z, the same value {@link #forward} defines
     */
    INDArray preOutput(INDArray x, INDArray w, INDArray bias, LowRankUpdate update);

    /**
     * Runs a training forward pass and keeps what its backward pass needs; W and b get no gradient.
     *
     * @param w             frozen weight, {@link #weightShape} layout
     * @param bias          [1, nOut], or null
     * @param update        the layer's factors
     * @param path          the convolution training path ({@link TrainingPath#AUTO}: the shape's rule)
     * @param inputGradient false when nothing uses dL/dx, so the step may skip it
     */
    TrainingStep trainingStep(INDArray x, INDArray w, INDArray bias, LowRankUpdate update, TrainingPath path,
                              boolean inputGradient);

    InputType outputType(int layerIndex, InputType inputType, long nOut, String layerName);

    /** @return nIn implied by the input type, or an error naming the layer */
    long inferNIn(InputType inputType, String layerName);

    InputPreProcessor preProcessor(InputType inputType, String layerName);

    /** Takes defaults the layer left unset from the network's configuration. */
    default void applyGlobalConfig(NeuralNetConfiguration.Builder globalConfig) {
    }
}
