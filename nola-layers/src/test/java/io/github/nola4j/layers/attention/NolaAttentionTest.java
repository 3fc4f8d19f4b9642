package io.github.nola4j.layers.attention;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
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
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NolaAttention} against DL4J's attention layers in networks [dense, attention, average pooling,
 * softmax output] on input [minibatch, nIn, time]: equal at step 0, equal to the original with W + s·ΔW
 * (ΔW computed from {@code NolaFactors} here) at β ≠ 0, frozen weights bit-identical after fit, gradients
 * (α, β and the dense layer below, through the attention input) checked in double, ModelSerializer round trip.
 */
class NolaAttentionTest {

    private static final int N_IN = 4;
    private static final int T = 5;
    private static final int CLASSES = 3;
    static final int ATTENTION = 1;

    static SameDiffLayer selfAttention() {
        return new SelfAttentionLayer.Builder().nIn(N_IN).nOut(6).nHeads(2).headSize(3).projectInput(true).build();
    }

    static SameDiffLayer recurrentAttention() {
        return new RecurrentAttentionLayer.Builder().nIn(N_IN).nOut(6).nHeads(2).headSize(3).projectInput(true)
                .activation(Activation.TANH).build();
    }

    static MultiLayerNetwork net(org.deeplearning4j.nn.conf.layers.Layer attention, DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(dataType)
                .updater(dataType == DataType.DOUBLE ? new NoOp() : new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nOut(N_IN).activation(Activation.TANH).build())
                .layer(attention)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, T)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** @return the adapted network (NOLA or LoRA) with the plain one's parameters copied in by key */
    static MultiLayerNetwork adapted(MultiLayerNetwork plain, AttentionAdapterOptions<?> adapter, DataType dataType) {
        MultiLayerNetwork net = net((org.deeplearning4j.nn.conf.layers.Layer) adapter.build(), dataType);
        for (int i = 0; i < plain.getnLayers(); i++) {
            for (Map.Entry<String, INDArray> p : plain.getLayer(i).paramTable().entrySet()) {
                net.getLayer(i).getParam(p.getKey()).assign(p.getValue());
            }
        }
        return net;
    }

    static DataSet data(DataType dataType, int minibatch) {
        INDArray x = Nd4j.rand(dataType, minibatch, 3, T).subi(0.5);
        INDArray y = Nd4j.zeros(dataType, minibatch, CLASSES);
        for (int i = 0; i < minibatch; i++) {
            y.putScalar(i, i % CLASSES, 1.0);
        }
        return new DataSet(x, y);
    }

    private static void randomiseBetas(MultiLayerNetwork net, NolaAttention conf) {
        Nd4j.getRandom().setSeed(17);
        for (AttentionProjection p : conf.getProjections()) {
            INDArray beta = net.getLayer(ATTENTION).getParam(p.betaKey());
            beta.assign(Nd4j.randn(beta.dataType(), beta.shape()).muli(2.0));
        }
    }

    @Test
    void equalsTheOriginalAtStepZero() {
        for (SameDiffLayer original : new SameDiffLayer[] {selfAttention(), recurrentAttention()}) {
            MultiLayerNetwork plain = net(original.clone(), DataType.FLOAT);
            MultiLayerNetwork nola = adapted(plain, new NolaAttention.Builder(original)
                    .projections(AttentionProjection.values()), DataType.FLOAT);
            INDArray x = data(DataType.FLOAT, 4).getFeatures();
            assertArrayEquals(plain.output(x).data().asFloat(), nola.output(x).data().asFloat(),
                    original.getClass().getSimpleName() + " at β = 0");
        }
    }

    /** At β ≠ 0 the layer is the original with W + s·ΔW, ΔW from the factors in W's own layout. */
    @Test
    void equalsTheOriginalWithTheUpdateMergedIn() {
        SameDiffLayer original = recurrentAttention();
        MultiLayerNetwork plain = net(original.clone(), DataType.DOUBLE);
        NolaAttention.Builder builder = new NolaAttention.Builder(original).projections(AttentionProjection.Q,
                AttentionProjection.V, AttentionProjection.O).rank(2).numBases(8, 6).basisSeed(5);
        MultiLayerNetwork nola = adapted(plain, builder, DataType.DOUBLE);
        NolaAttention conf = (NolaAttention) nola.getLayerWiseConfigurations().getConf(ATTENTION).getLayer();
        randomiseBetas(nola, conf);
        for (AttentionProjection p : conf.getProjections()) {
            INDArray[] ab = conf.nolaFactors(p).factors(nola.getLayer(ATTENTION).getParam(p.alphaKey()),
                    nola.getLayer(ATTENTION).getParam(p.betaKey()));
            INDArray delta = ab[0].mmul(ab[1]);   // [fanIn, nOut], x·W orientation
            INDArray inLayout = p == AttentionProjection.O ? delta : delta.transpose().dup('c').reshape(
                    'c', conf.weightShape(p));
            plain.getLayer(ATTENTION).getParam(p.weightKey()).addi(inLayout);
        }
        INDArray x = data(DataType.DOUBLE, 3).getFeatures();
        INDArray expected = plain.output(x);
        INDArray actual = nola.output(x);
        assertTrue(expected.equalsWithEps(actual, 1e-12), "expected " + expected + " but was " + actual);
        assertFalse(expected.equalsWithEps(net(original.clone(), DataType.DOUBLE).output(x), 1e-3));
    }

    @Test
    void frozenWeightsStayBitIdenticalWhileTheCoefficientsTrain() {
        MultiLayerNetwork plain = net(selfAttention(), DataType.FLOAT);
        MultiLayerNetwork nola = adapted(plain, new NolaAttention.Builder(selfAttention()), DataType.FLOAT);
        Map<String, INDArray> before = copy(nola.getLayer(ATTENTION).paramTable());
        DataSet ds = data(DataType.FLOAT, 6);
        double first = nola.score(ds);
        for (int i = 0; i < 5; i++) {
            nola.fit(ds);
        }
        NolaAttention conf = (NolaAttention) nola.getLayerWiseConfigurations().getConf(ATTENTION).getLayer();
        Set<String> trainable = new HashSet<>();
        conf.getProjections().forEach(p -> {
            trainable.add(p.alphaKey());
            trainable.add(p.betaKey());
        });
        assertEquals(Set.of("alphaQ", "betaQ", "alphaV", "betaV"), trainable, "q and v by default");
        for (Map.Entry<String, INDArray> p : nola.getLayer(ATTENTION).paramTable().entrySet()) {
            float[] was = before.get(p.getKey()).data().asFloat();
            float[] now = p.getValue().dup().data().asFloat();
            if (!trainable.contains(p.getKey())) {
                assertArrayEquals(was, now, p.getKey() + " is frozen");
            } else if (p.getKey().startsWith("beta")) {
                assertFalse(java.util.Arrays.equals(was, now), p.getKey() + " trains");
            }
        }
        assertTrue(nola.score(ds) < first, "the loss fell: " + first + " -> " + nola.score(ds));
    }

    @Test
    void passesGradientCheckInDouble() {
        for (SameDiffLayer original : new SameDiffLayer[] {selfAttention(), recurrentAttention()}) {
            MultiLayerNetwork plain = net(original.clone(), DataType.DOUBLE);
            NolaAttention.Builder builder = new NolaAttention.Builder(original).projections(AttentionProjection.K,
                    AttentionProjection.V, AttentionProjection.O).rank(2).numBases(5, 4).updater(new NoOp());
            MultiLayerNetwork nola = adapted(plain, builder, DataType.DOUBLE);
            randomiseBetas(nola, (NolaAttention) nola.getLayerWiseConfigurations().getConf(ATTENTION).getLayer());
            DataSet ds = data(DataType.DOUBLE, 3);
            Set<String> frozen = new HashSet<>();
            plain.getLayer(ATTENTION).paramTable().keySet().forEach(k -> frozen.add(ATTENTION + "_" + k));
            DataType previous = Nd4j.dataType();
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
            try {
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(nola)
                        .input(ds.getFeatures()).labels(ds.getLabels()).epsilon(1e-6).maxRelError(1e-5)
                        .minAbsoluteError(1e-9).excludeParams(frozen)
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
                assertTrue(ok, original.getClass().getSimpleName() + ": gradient check failed; see the log");
            } finally {
                Nd4j.setDefaultDataTypes(previous, previous);
            }
        }
    }

    @Test
    void survivesModelSerializer(@TempDir Path dir) throws Exception {
        MultiLayerNetwork plain = net(recurrentAttention(), DataType.FLOAT);
        MultiLayerNetwork nola = adapted(plain, new NolaAttention.Builder(recurrentAttention())
                .projections(AttentionProjection.Q, AttentionProjection.O).quantizationBits(4), DataType.FLOAT);
        DataSet ds = data(DataType.FLOAT, 4);
        nola.fit(ds);
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(nola, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(nola.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(nola.params(), restored.params());
        assertEquals(nola.output(ds.getFeatures()), restored.output(ds.getFeatures()));
        nola.fit(ds);
        restored.fit(ds);
        assertEquals(nola.params(), restored.params(), "trains on identically");
    }

    @Test
    void refusesWrongProjectionsAndLayers() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> AttentionProjection.parseAll("q", "query"));
        assertTrue(name.getMessage().contains("\"query\"") && name.getMessage().contains("q, k, v or o"),
                name.getMessage());
        assertEquals(Set.of(AttentionProjection.Q, AttentionProjection.O), AttentionProjection.parseAll("Wq", "o"));
        assertThrows(IllegalArgumentException.class, AttentionProjection::parseAll);
        SameDiffLayer noProjection = new SelfAttentionLayer.Builder().nIn(N_IN).nOut(N_IN).nHeads(1)
                .projectInput(false).build();
        IllegalArgumentException wrap = assertThrows(IllegalArgumentException.class,
                () -> new NolaAttention.Builder(noProjection));
        assertTrue(wrap.getMessage().contains("projectInput = false"), wrap.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new NolaAttention.Builder(selfAttention()).rank(0).build());
        assertTrue(rank.getMessage().contains("rank = 0"), rank.getMessage());
        SameDiffLayer learned = new LearnedSelfAttentionLayer.Builder().nIn(N_IN).nOut(6).nHeads(2).headSize(3)
                .nQueries(3).projectInput(true).build();
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> new NolaAttention.Builder(learned));
        assertTrue(broken.getMessage().contains("scatter_update"), broken.getMessage());
        NolaAttention conf = new NolaAttention.Builder(selfAttention()).build();
        conf.getLayerParams();
        assertThrows(IllegalArgumentException.class, () -> conf.getUpdaterByParam("Wx"));
    }

    static Map<String, INDArray> copy(Map<String, INDArray> params) {
        Map<String, INDArray> c = new java.util.LinkedHashMap<>();
        params.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }
}
