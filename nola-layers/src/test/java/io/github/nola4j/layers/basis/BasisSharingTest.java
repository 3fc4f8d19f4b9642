package io.github.nola4j.layers.basis;

import io.github.nola4j.layers.NolaDense;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Layers of one basis seed slice one reserved family: memory does not grow with the layer count. */
class BasisSharingTest {

    @Test
    void layersOfOneSeedShareReservedBases() {
        long seed = 55_555L;
        int rank = 2;
        int k = 16;
        BasisCache.reserve(seed, rank, k, k, 64, 64, DataType.FLOAT);
        long reserved = BasisCache.bytesHeld();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().list();
        for (int i = 0; i < 6; i++) {
            list.layer(new NolaDense.Builder().nOut(48 - 4 * i).rank(rank).numBasesA(k).numBasesB(k).basisSeed(seed)
                    .build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.layer(new OutputLayer.Builder().nOut(2).build())
                .setInputType(InputType.feedForward(64)).build());
        net.init();
        net.output(Nd4j.rand(DataType.FLOAT, 3, 64));
        assertEquals(reserved, BasisCache.bytesHeld(), "six layers must not add basis memory beyond the reserved family");
    }
}
