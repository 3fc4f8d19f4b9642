package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The contract's network for convolutions: input 2×6×5, a 2×2 tanh convolution to 3 channels, the layer under test. */
abstract class ConvLayerContract extends LowRankLayerContract {

    @Override
    Layer before() {
        return new ConvolutionLayer.Builder(2, 2).nIn(2).nOut(3).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.TANH).build();
    }

    @Override
    InputType inputType() {
        return InputType.convolutional(6, 5, 2);
    }

    @Override
    INDArray input(DataType dataType, int minibatch) {
        return Nd4j.rand(dataType, minibatch, 2, 6, 5).subi(0.5);
    }

    /**
     * DL4J's ConvolutionLayer convolves with its own im2col + gemm in Java, libnd4j's conv2d sums
     * in another order: in double they agree to rounding (seen: 1.5e-15), not bit for bit.
     * W + s·ΔW itself is exactly W at step 0.
     */
    @Override
    double doubleParityTolerance() {
        return 1e-13;
    }
}
