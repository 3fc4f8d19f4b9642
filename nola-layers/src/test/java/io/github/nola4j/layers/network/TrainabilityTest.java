package io.github.nola4j.layers.network;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins the one trainability rule ({@link Trainability}) and the DL4J behaviour it rests on. */
class TrainabilityTest {

    private static MultiLayerConfiguration conf(double batchNormDecay) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build())              // 0 Adam
                .layer(new DenseLayer.Builder().nOut(4).updater(new NoOp()).build())                      // 1 NoOp
                .layer(new FrozenLayer(new DenseLayer.Builder().nIn(4).nOut(4).build()))                 // 2
                .layer(new FrozenLayerWithBackprop(new DenseLayer.Builder().nIn(4).nOut(4).build()))     // 3
                .layer(new NolaDense.Builder().nOut(4).rank(2).numBasesA(5).numBasesB(5).build())         // 4
                .layer(new BatchNormalization.Builder().decay(batchNormDecay).build())                    // 5
                .layer(new FrozenLayer(new BatchNormalization.Builder().nIn(4).nOut(4).build()))         // 6
                .layer(new ActivationLayer(Activation.RELU))                                               // 7
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).build())           // 8
                .setInputType(InputType.feedForward(3)).build();
    }

    private static MultiLayerNetwork net(double batchNormDecay) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(batchNormDecay));
        net.init();
        return net;
    }

    @Test
    void adamTrainsNoOpAndFrozenLayersDoNot() {
        MultiLayerNetwork net = net(0.9);
        assertTrue(Trainability.trains(net.getLayer(0), "W") && Trainability.trains(net.getLayer(0), "b"));
        assertTrue(Trainability.trains(net.getLayer(0)));
        assertFalse(Trainability.trains(net.getLayer(1), "W"), "NoOp");
        assertFalse(Trainability.trains(net.getLayer(1)));
        for (int frozen : new int[] {2, 3, 6}) {
            assertTrue(Trainability.isFrozenLayer(net.getLayer(frozen)), "layer " + frozen);
            assertFalse(Trainability.trains(net.getLayer(frozen)), "layer " + frozen);
            for (String key : net.getLayer(frozen).paramTable().keySet()) {
                assertFalse(Trainability.changesInFit(net.getLayer(frozen), key), "layer " + frozen + " " + key);
            }
        }
        assertFalse(Trainability.trains(net.getLayer(7)), "no parameters");
        assertTrue(Trainability.trains(net.getLayer(8)));
    }

    @Test
    void lowRankLayerTrainsItsCoefficientsOnly() {
        Layer nola = net(0.9).getLayer(4);
        assertFalse(Trainability.trains(nola, LowRankLayer.WEIGHT_KEY));
        assertFalse(Trainability.trains(nola, LowRankLayer.BIAS_KEY));
        assertTrue(Trainability.trains(nola, NolaLayer.ALPHA_KEY));
        assertTrue(Trainability.trains(nola, NolaLayer.BETA_KEY));
        assertTrue(Trainability.freezes(nola.conf().getLayer().getUpdaterByParam(LowRankLayer.WEIGHT_KEY)));
    }

    @Test
    void batchNormStatisticsChangeInFitWithoutTrainingWhenTheyDecay() {
        Layer bn = net(0.9).getLayer(5);
        assertTrue(Trainability.trains(bn, "gamma") && Trainability.trains(bn, "beta"));
        for (String key : new String[] {"mean", "var"}) {
            assertFalse(Trainability.trains(bn, key), key);
            assertTrue(Trainability.changesInFit(bn, key), key);
        }
        Layer noDecay = net(1.0).getLayer(5);
        assertFalse(Trainability.changesInFit(noDecay, "mean"), "decay 1 keeps the statistics");
        assertTrue(Trainability.changesInFit(noDecay, "gamma"));
    }

    /** DL4J's BaseMultiLayerUpdater refuses a null updater, so fit never changes such a parameter. */
    @Test
    void nullUpdaterDoesNotTrainBecauseDl4jCannotFitIt() {
        MultiLayerConfiguration conf = conf(0.9);
        ((BaseLayer) conf.getConf(0).getLayer()).setIUpdater(null);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Layer dense = net.getLayer(0);
        assertFalse(Trainability.trains(dense, "W"));
        assertFalse(Trainability.trains(dense));
        assertTrue(Trainability.freezes(null));
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3), Nd4j.rand(DataType.FLOAT, 2, 2));
        org.nd4j.linalg.api.ndarray.INDArray before = dense.getParam("W").dup();
        RuntimeException e = assertThrows(RuntimeException.class, () -> net.fit(data));
        assertTrue(String.valueOf(e.getMessage()).contains("was null"), String.valueOf(e.getMessage()));
        assertEquals(before, dense.getParam("W"), "fit refused before any step");
    }
}
