package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import static io.github.nola4j.layers.LabelledBatches.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Basis family products are on by default and survive ModelSerializer: a network and its saved copy form
 * the same families at their first training step and train on bit-identically in float (where one GEMM over
 * a family and one product per layer round differently); a network put on the per-layer path stays there
 * when saved; a second network on the same parameter array (a serving replica) forms families of its own.
 */
class BasisFamiliesDefaultTest {

    private static final List<DataSet> BATCHES = List.of(floatBatch(0), floatBatch(1), floatBatch(2));

    private static DataSet floatBatch(long seed) {
        DataSet d = batch(seed, 8, 6);
        return new DataSet(d.getFeatures().castTo(DataType.FLOAT), d.getLabels().castTo(DataType.FLOAT));
    }

    /** four NOLA dense layers of one family (A rows 6, 5, 5, 5; B rows 5), then a softmax output */
    private static MultiLayerNetwork network() {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Adam(5e-2)).list();
        for (int i = 0; i < 4; i++) {
            b.layer(new NolaDense.Builder().nIn(i == 0 ? 6 : 5).nOut(5).rank(2).numBasesA(16).numBasesB(16)
                    .basisSeed(3).activation(Activation.TANH).build());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(5).nOut(3).activation(Activation.SOFTMAX).build()).build());
        net.init();
        Nd4j.getRandom().setSeed(9); // β ≠ 0, so that every coefficient has a gradient from the first step
        for (int i = 0; i < 4; i++) {
            INDArray beta = net.getLayer(i).getParam(NolaLayer.BETA_KEY);
            beta.assign(Nd4j.rand(DataType.FLOAT, beta.shape()).subi(0.5));
        }
        return net;
    }

    private static DirectLowRankLayer layer(MultiLayerNetwork net, int i) {
        return (DirectLowRankLayer) net.getLayer(i);
    }

    private static MultiLayerNetwork savedAndRestored(MultiLayerNetwork net, Path dir) throws Exception {
        File file = dir.resolve("net-" + System.nanoTime() + ".zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        return ModelSerializer.restoreMultiLayerNetwork(file, true);
    }

    private static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        assertEquals(0.0, expected.sub(actual).amaxNumber().doubleValue(), what + " differ");
    }

    @Test
    void aNetworkAndItsSavedCopyTrainInOneFamilyAndBitIdentically(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = network();
        assertNull(layer(net, 0).familyProduct(), "families form at the first training step");
        net.fit(BATCHES.get(0));
        FamilyProduct product = layer(net, 0).familyProduct();
        assertNotNull(product, "on by default");
        assertEquals(4, product.size());

        MultiLayerNetwork copy = savedAndRestored(net, dir);
        assertTrue(((NolaLayer) copy.getLayer(0).conf().getLayer()).isBasisFamilyProduct());
        for (DataSet d : BATCHES) {
            net.fit(d);
            copy.fit(d);
        }
        assertNotNull(layer(copy, 3).familyProduct(), "the copy forms its family too");
        assertNotSame(product, layer(copy, 3).familyProduct());
        assertBitIdentical(net.params(), copy.params(), "trained parameters of the network and its saved copy");
    }

    @Test
    void aDetachedNetworkStaysOnThePerLayerPathWhenSaved(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = network();
        BasisFamilies.detach(net);
        net.fit(BATCHES.get(0));
        assertNull(layer(net, 0).familyProduct());

        MultiLayerNetwork copy = savedAndRestored(net, dir);
        assertFalse(((NolaLayer) copy.getLayer(0).conf().getLayer()).isBasisFamilyProduct(), "saved with the network");
        for (DataSet d : BATCHES) {
            net.fit(d);
            copy.fit(d);
        }
        assertNull(layer(copy, 0).familyProduct());
        assertBitIdentical(net.params(), copy.params(), "trained parameters of the detached network and its copy");

        assertEquals(4, BasisFamilies.attach(copy));
        assertNotNull(layer(copy, 0).familyProduct());
    }

    @Test
    void aSecondNetworkOnTheSameParametersFormsItsOwnFamilies() {
        MultiLayerNetwork net = network();
        MultiLayerNetwork replica = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
        replica.init(net.params(), false);
        net.fit(BATCHES.get(0));
        replica.fit(BATCHES.get(1));
        FamilyProduct own = layer(net, 0).familyProduct();
        assertEquals(4, own.size(), "the network's family holds its own four layers only");
        assertEquals(4, layer(replica, 0).familyProduct().size());
        assertNotSame(own, layer(replica, 0).familyProduct());
    }
}
