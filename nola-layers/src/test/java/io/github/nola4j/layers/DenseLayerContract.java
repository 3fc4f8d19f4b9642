package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The contract's network for dense layers: 4 inputs, a tanh DenseLayer 4→6, the layer under test 6→5 (tanh). */
abstract class DenseLayerContract extends LowRankLayerContract {

    @Override
    Layer plain() {
        return new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build();
    }

    @Override
    Layer before() {
        return new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build();
    }

    @Override
    InputType inputType() {
        return InputType.feedForward(4);
    }

    @Override
    INDArray input(DataType dataType, int minibatch) {
        return Nd4j.rand(dataType, minibatch, 4).subi(0.5);
    }
}
