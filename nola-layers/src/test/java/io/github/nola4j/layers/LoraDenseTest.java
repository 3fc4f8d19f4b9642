package io.github.nola4j.layers;

import org.nd4j.linalg.activations.Activation;

import java.util.List;
import java.util.function.UnaryOperator;

class LoraDenseTest extends DenseLayerContract {

    @Override
    LowRankLayer.Builder<?> adapted() {
        return new LoraDense.Builder().nIn(6).nOut(5).rank(2).initSeed(3).scale(0.5).activation(Activation.TANH).runtime(runtime());
    }

    @Override
    List<String> trainableKeys() {
        return List.of(LoraLayer.A_KEY, LoraLayer.B_KEY);
    }

    @Override
    List<UnaryOperator<LowRankLayer.Builder<?>>> oneFieldChanges() {
        return List.of(b -> b.nIn(7), b -> b.nOut(4), b -> b.rank(3), b -> ((LoraLayer.Builder<?>) b).initSeed(4),
                b -> b.scale(0.25), b -> b.hasBias(false), b -> b.activation(Activation.RELU));
    }
}
