package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static io.github.nola4j.layers.LabelledBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The family product ({@link BasisFamilies}) gives the per-layer path's gradients and trained parameters
 * (double, 1e-12 relative): layers of one family with equal and different fanIn, nOut and scale, a
 * quantised layer, and a layer of another family; a network and a graph.
 */
class BasisFamiliesTest {

    private static NolaConv2d.Builder conv(int nOut, int kernel) {
        return new NolaConv2d.Builder().kernelSize(kernel, kernel).nOut(nOut).rank(2).numBasesA(6).numBasesB(5)
                .basisSeed(11).activation(Activation.TANH);
    }

    private static NolaDense.Builder dense(int nOut) {
        return new NolaDense.Builder().nOut(nOut).rank(2).numBasesA(6).numBasesB(5).basisSeed(11)
                .activation(Activation.TANH);
    }

    /** conv 3x3 (fanIn 27), conv 3x3 (36), conv 1x1 (4, scale 0.5), dense (fanIn 64), dense (4), dense (4, 4 bits), dense (other k) */
    private static MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(5e-2)).list()
                .layer(conv(4, 3).build())
                .layer(conv(4, 3).build())
                .layer(conv(4, 1).scale(0.5).build())
                .layer(dense(4).build())
                .layer(dense(4).build())
                .layer(dense(4).quantizationBits(4).build())
                .layer(dense(4).numBasesA(7).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build());
        net.init();
        // β starts at 0 (ΔW = 0): give it values so that every gradient is non-zero from the first step
        Nd4j.getRandom().setSeed(3);
        for (int i = 0; i < 7; i++) {
            INDArray beta = net.getLayer(i).getParam(NolaLayer.BETA_KEY);
            beta.assign(Nd4j.rand(DataType.DOUBLE, beta.shape()).subi(0.5));
        }
        return net;
    }

    private static final List<DataSet> BATCHES = List.of(batch(0, 4, 3, 8, 8), batch(1, 4, 3, 8, 8),
            batch(2, 4, 3, 8, 8));

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        RelativeCloseness.assertClose(expected, actual, 1e-12, what);
    }

    @Test
    void gradientsAndTrainedParametersEqualThePerLayerPath() {
        MultiLayerNetwork perLayer = network();
        BasisFamilies.detach(perLayer);
        MultiLayerNetwork family = network();
        assertEquals(7, BasisFamilies.attach(family));
        assertNotNull(((DirectLowRankLayer) family.getLayer(0)).familyProduct());
        assertTrue(((DirectLowRankLayer) family.getLayer(0)).familyProduct()
                != ((DirectLowRankLayer) family.getLayer(6)).familyProduct(), "k = 7 is another family");

        for (MultiLayerNetwork net : List.of(perLayer, family)) {
            net.setInput(BATCHES.get(0).getFeatures());
            net.setLabels(BATCHES.get(0).getLabels());
            net.computeGradientAndScore();
        }
        for (int i = 0; i < 7; i++) {
            for (String key : List.of(NolaLayer.ALPHA_KEY, NolaLayer.BETA_KEY)) {
                assertClose(perLayer.gradient().getGradientFor(i + "_" + key),
                        family.gradient().getGradientFor(i + "_" + key), "gradient " + i + "_" + key);
            }
        }

        for (DataSet d : BATCHES) {
            perLayer.fit(d);
            family.fit(d);
        }
        assertClose(perLayer.params(), family.params(), "trained parameters");
        assertClose(perLayer.output(BATCHES.get(0).getFeatures()), family.output(BATCHES.get(0).getFeatures()),
                "output");

        BasisFamilies.detach(family);
        assertNull(((DirectLowRankLayer) family.getLayer(0)).familyProduct());
        perLayer.fit(BATCHES.get(1));
        family.fit(BATCHES.get(1));
        assertClose(perLayer.params(), family.params(), "trained parameters after detach");
    }

    private static ComputationGraph graph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(5e-2)).graphBuilder()
                .addInputs("in")
                .addLayer("a", dense(5).nIn(6).build(), "in")
                .addLayer("b", dense(5).nIn(6).build(), "in")
                .addLayer("c", dense(4).nIn(5).build(), "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(9).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "c", "b")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    @Test
    void graphTrainsAsOnThePerLayerPath() {
        ComputationGraph perLayer = graph();
        BasisFamilies.detach(perLayer);
        ComputationGraph family = graph();
        assertEquals(3, BasisFamilies.attach(family));
        List<DataSet> batches = List.of(batch(0, 5, 6), batch(1, 5, 6), batch(2, 5, 6));
        for (DataSet d : batches) {
            perLayer.fit(d);
            family.fit(d);
        }
        assertClose(perLayer.params(), family.params(), "trained parameters");
    }
}
