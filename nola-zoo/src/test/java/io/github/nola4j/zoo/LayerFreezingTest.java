package io.github.nola4j.zoo;

import io.github.nola4j.layers.LowRankLayer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A layer DL4J's frozen wrapper cannot hold (CenterLossOutputLayer, the output layer of zoo
 * FaceNetNN4Small2 and InceptionResNetV1) is refused at build() with the layer, its type and the
 * fixes; each fix then builds a network that trains.
 */
class LayerFreezingTest {

    /** fc1 (dense 6→8) → fc2 (dense 8→8) → center (CenterLossOutputLayer 8→3). */
    private static MultiLayerNetwork centerLossNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().name("fc1").nOut(8).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("fc2").nOut(8).activation(Activation.TANH).build())
                .layer(new CenterLossOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("center").nOut(3)
                        .activation(Activation.SOFTMAX).alpha(0.1).lambda(0.01).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void frozenCenterLossOutputLayerIsRefusedNamingLayerTypeAndFixes() {
        MultiLayerNetwork base = centerLossNet();
        Map<String, INDArray> before = Fixtures.snapshot(base.getLayers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(base).targetNames("fc1").build());
        for (String part : new String[] {"\"center\"", "CenterLossOutputLayer", "replaceHead(", "trainable(\"center\")"}) {
            assertTrue(e.getMessage().contains(part), "message should contain " + part + ": " + e.getMessage());
        }
        Fixtures.assertBitIdentical(before, Fixtures.snapshot(base.getLayers()), "network after the refusal");
    }

    @Test
    void eachFixBuildsANetworkWhoseFrozenLayersStayBitIdentical() {
        MultiLayerNetwork base = centerLossNet();
        DataSet d = Fixtures.data(DataType.DOUBLE, 4, new long[] {6}, 3, 5);
        for (NolaTransfer<MultiLayerNetwork> t : java.util.List.of(
                NolaTransfer.of(base).targetNames("fc1").trainable("center"),
                NolaTransfer.of(base).targetNames("fc1").replaceHead(3))) {
            MultiLayerNetwork net = t.build().network();
            Map<String, INDArray> before = Fixtures.snapshot(net.getLayers());
            net.fit(d);
            net.fit(d);
            Map<String, INDArray> after = Fixtures.snapshot(net.getLayers());
            assertTrue(Fixtures.bitIdentical(before.get("fc2/W"), after.get("fc2/W")), "frozen fc2/W moved");
            assertTrue(Fixtures.bitIdentical(before.get("fc1/" + LowRankLayer.WEIGHT_KEY),
                    after.get("fc1/" + LowRankLayer.WEIGHT_KEY)), "fc1's frozen W moved");
            assertFalse(Fixtures.bitIdentical(before.get("fc1/beta"), after.get("fc1/beta")),
                    "no gradient reached fc1's coefficients through the frozen fc2");
            assertFalse(Fixtures.bitIdentical(before.get("center/W"), after.get("center/W")), "the head did not train");
        }
    }
}
