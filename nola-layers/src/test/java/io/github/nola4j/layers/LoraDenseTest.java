package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.UnaryOperator;

class LoraDenseTest extends LowRankLayerContract {

    @Override
    LowRankLayer.Builder<?> adapted() {
        return new LoraDense.Builder().nIn(6).nOut(5).rank(2).initSeed(3).scale(0.5).activation(Activation.TANH).runtime(runtime());
    }

    @Override
    List<String> trainableKeys() {
        return List.of(LoraLayer.A_KEY, LoraLayer.B_KEY);
    }

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

    @Override
    List<UnaryOperator<LowRankLayer.Builder<?>>> oneFieldChanges() {
        return List.of(b -> b.nIn(7), b -> b.nOut(4), b -> b.rank(3), b -> ((LoraLayer.Builder<?>) b).initSeed(4),
                b -> b.scale(0.25), b -> b.hasBias(false), b -> b.activation(Activation.RELU));
    }
}
