package io.github.nola4j.zoo;

import io.github.nola4j.layers.attention.AttentionProjection;
import io.github.nola4j.layers.attention.NolaAttention;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NolaTransfer} on a network with DL4J attention layers: [dense "embed", SelfAttentionLayer "attn",
 * average pooling, softmax output "out"] on input [minibatch, 3, 5].
 */
class AttentionTransferTest {

    private static final long[] INPUT = {3, 5};

    private static MultiLayerNetwork base(org.deeplearning4j.nn.conf.layers.Layer attention) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("embed").nOut(8).activation(Activation.TANH).build())
                .layer(attention)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(Fixtures.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(INPUT[0], INPUT[1])).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static MultiLayerNetwork base() {
        return base(new SelfAttentionLayer.Builder().name("attn").nOut(8).nHeads(2).headSize(4).projectInput(true)
                .build());
    }

    private static FineTuneConfiguration adam() {
        return new FineTuneConfiguration.Builder().updater(new Adam(3e-2)).build();
    }

    @Test
    void adaptsQueryAndValueByDefaultAndEqualsTheBaseAtStepZero() {
        MultiLayerNetwork base = base();
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(base).targetKinds(LayerKind.ATTENTION).numBases(16, 8)
                .fineTuneConfiguration(adam()).build();
        NolaAttention attn = (NolaAttention) r.network().getLayer("attn").conf().getLayer();
        assertEquals(List.of(AttentionProjection.Q, AttentionProjection.V), attn.getProjections());
        assertEquals(List.of("attn"), r.adaptedLayers());
        assertEquals(2 * (16 + 8), r.summary().adapterParams());
        assertEquals(2 * (8 + 8), r.summary().loraRank1Params(), "LoRA rank 1 on Wq, Wv: 2·(nIn + nHeads·headSize)");
        INDArray x = Fixtures.data(DataType.FLOAT, 4, INPUT, Fixtures.CLASSES, 2).getFeatures();
        assertTrue(Fixtures.bitIdentical(base.output(x), r.network().output(x)), "step 0 equals the base");
    }

    @Test
    void trainsOnlyTheCoefficientsOfTheChosenProjections(@TempDir Path dir) throws Exception {
        MultiLayerNetwork base = base();
        Map<String, INDArray> baseBefore = Fixtures.snapshot(base.getLayers());
        TransferResult<MultiLayerNetwork> r = NolaTransfer.of(base).targetNames("attn")
                .attentionProjections("Wk", "o").rank(2).numBases(16, 16).replaceHead(Fixtures.CLASSES)
                .fineTuneConfiguration(adam()).build();
        MultiLayerNetwork net = r.network();
        Map<String, INDArray> before = Fixtures.snapshot(net.getLayers());
        DataSet data = Fixtures.data(DataType.FLOAT, 12, INPUT, Fixtures.CLASSES, 4);
        double first = net.score(data);
        for (int i = 0; i < 20; i++) {
            net.fit(data);
        }
        Map<String, INDArray> after = Fixtures.snapshot(net.getLayers());
        for (String key : before.keySet()) {
            boolean trains = key.startsWith("out/") || key.equals("attn/betaK") || key.equals("attn/betaO")
                    || key.equals("attn/alphaK") || key.equals("attn/alphaO");
            boolean same = Fixtures.bitIdentical(before.get(key), after.get(key));
            if (!trains) {
                assertTrue(same, key + " is frozen but changed");
            } else if (key.contains("beta")) {
                assertFalse(same, key + " did not train");
            }
        }
        assertTrue(net.score(data) < first, "loss " + first + " -> " + net.score(data));
        Fixtures.assertBitIdentical(baseBefore, Fixtures.snapshot(base.getLayers()), "the base");

        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertTrue(Fixtures.bitIdentical(net.output(data.getFeatures()), restored.output(data.getFeatures())));
        net.fit(data);
        restored.fit(data);
        assertTrue(Fixtures.bitIdentical(net.params(), restored.params()), "the restored copy trains on identically");
    }

    @Test
    void refusesWrongProjectionsAndLayersWithTheBaseUntouched() {
        MultiLayerNetwork base = base();
        Map<String, INDArray> before = Fixtures.snapshot(base.getLayers());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> NolaTransfer.of(base).targetNames("attn").attentionProjections("q", "value"));
        assertTrue(name.getMessage().contains("\"value\"") && name.getMessage().contains("q, k, v or o"),
                name.getMessage());
        IllegalArgumentException learned = assertThrows(IllegalArgumentException.class, () -> NolaTransfer.of(base(
                new LearnedSelfAttentionLayer.Builder().name("attn").nOut(8).nHeads(2).headSize(4).nQueries(2)
                        .projectInput(true).build())).targetNames("attn").fineTuneConfiguration(adam()).build());
        assertTrue(learned.getMessage().contains("scatter_update"), learned.getMessage());
        IllegalArgumentException noProjection = assertThrows(IllegalArgumentException.class, () -> NolaTransfer.of(
                base(new SelfAttentionLayer.Builder().name("attn").nIn(8).nOut(8).nHeads(1).projectInput(false).build()))
                .targetNames("attn").fineTuneConfiguration(adam()).build());
        assertTrue(noProjection.getMessage().contains("projectInput = false"), noProjection.getMessage());
        Fixtures.assertBitIdentical(before, Fixtures.snapshot(base.getLayers()), "the base");
    }
}
