package io.github.nola4j.layers;

import org.nd4j.linalg.activations.Activation;

import java.util.List;
import java.util.function.UnaryOperator;

class NolaDenseTest extends DenseLayerContract {

    @Override
    LowRankLayer.Builder<?> adapted() {
        return new NolaDense.Builder().nIn(6).nOut(5).rank(2).numBasesA(7).numBasesB(9).basisSeed(31)
                .scale(0.5).activation(Activation.TANH).runtime(runtime());
    }

    @Override
    List<String> trainableKeys() {
        return List.of("alpha", "beta");
    }

    @org.junit.jupiter.api.Test
    void rejectsNonPositiveNumbersOfBases() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new NolaDense.Builder().nIn(3).nOut(2).numBasesB(-3).build());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("numBasesB = -3"), e.getMessage());
    }

    @Override
    List<UnaryOperator<LowRankLayer.Builder<?>>> oneFieldChanges() {
        return List.of(b -> b.nIn(7), b -> b.nOut(4), b -> b.rank(3), b -> ((NolaLayer.Builder<?>) b).numBasesA(8), b -> ((NolaLayer.Builder<?>) b).numBasesB(8),
                b -> ((NolaLayer.Builder<?>) b).basisSeed(32), b -> b.scale(0.25), b -> b.hasBias(false), b -> b.activation(Activation.RELU),
                b -> ((NolaLayer.Builder<?>) b).quantizationBits(4));
    }
}
