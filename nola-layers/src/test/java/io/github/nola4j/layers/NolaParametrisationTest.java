package io.github.nola4j.layers;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.basis.BasisSeeds;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The basis scaling and coefficient start of parametrisation 2, and parametrisation 1 kept for old JSON. */
class NolaParametrisationTest {

    private static final int FAN_IN = 48;

    private static MultiLayerConfiguration conf(int k, int l, boolean perLayer) {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new NolaDense.Builder().name("a").nIn(FAN_IN).nOut(10).rank(4).numBasesA(k).numBasesB(l)
                        .basisSeed(42).basisSeedPerLayer(perLayer).activation(Activation.TANH).build())
                .layer(new NolaDense.Builder().name("b").nIn(10).nOut(6).rank(4).numBasesA(k).numBasesB(l)
                        .basisSeed(42).basisSeedPerLayer(perLayer).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().name("head").nIn(6).nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .build();
    }

    private static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static NolaLayer nola(MultiLayerNetwork net, int i) {
        return (NolaLayer) net.getLayerWiseConfigurations().getConf(i).getLayer();
    }

    @Test
    void basesHaveTheOfficialSpreadPerUnitCoefficient() {
        NolaLayer layer = nola(net(conf(7, 9, false)), 0);
        assertEquals(NolaLayer.PARAMETRISATION, layer.getParametrisation());
        assertEquals(1 / Math.sqrt(3 * 7), layer.coefficientScaleA(), 1e-15);
        assertEquals(1 / Math.sqrt(3 * 9), layer.coefficientScaleB(), 1e-15);
    }

    @Test
    void alphaStartsUniformWithinSqrtThreeOverFanInAndBetaAtZero() {
        MultiLayerNetwork net = net(conf(4096, 16, false));
        INDArray alpha = net.getLayer(0).getParam(NolaLayer.ALPHA_KEY);
        double bound = Math.sqrt(3.0 / FAN_IN);
        assertTrue(alpha.amaxNumber().doubleValue() <= bound, "max |α| " + alpha.amaxNumber() + " > " + bound);
        assertTrue(alpha.amaxNumber().doubleValue() > 0.99 * bound);
        // U(-b, b) has mean square b²/3 = 1/fanIn: A = cA·Σ α_i A_i has variance 1/(3·fanIn), LoRA's Kaiming-uniform A
        double meanSquare = alpha.mul(alpha).meanNumber().doubleValue();
        assertEquals(1.0 / FAN_IN, meanSquare, 0.05 / FAN_IN);
        assertEquals(0.0, net.getLayer(0).getParam(NolaLayer.BETA_KEY).amaxNumber().doubleValue());
    }

    @Test
    void jsonWithoutAParametrisationKeepsParametrisation1AndConversionKeepsDeltaW() {
        MultiLayerConfiguration current = conf(7, 9, false);
        String json = current.toJson();
        assertTrue(json.contains("\"parametrisation\" : 2"), "the JSON must record the parametrisation");
        assertEquals(NolaLayer.PARAMETRISATION, nola(net(MultiLayerConfiguration.fromJson(json)), 0)
                .getParametrisation());

        MultiLayerNetwork old = net(MultiLayerConfiguration.fromJson(json.replaceAll("\"parametrisation\" : 2,?", "")));
        NolaLayer oldLayer = nola(old, 0);
        assertEquals(NolaLayer.PARAMETRISATION_1, oldLayer.getParametrisation());
        assertEquals(1 / Math.sqrt(7.0 * FAN_IN), oldLayer.coefficientScaleA(), 1e-15);
        assertEquals(1 / Math.sqrt(9.0), oldLayer.coefficientScaleB(), 1e-15);
        assertEquals(1.0, old.getLayer(0).getParam(NolaLayer.ALPHA_KEY).amaxNumber().doubleValue(), 0.3,
                "parametrisation 1 starts α in [-1, 1)");

        Random r = new Random(5);
        float[] alpha = new float[7];
        float[] beta = new float[9];
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] = (float) r.nextGaussian();
        }
        for (int j = 0; j < beta.length; j++) {
            beta[j] = (float) r.nextGaussian();
        }
        Map<String, INDArray> oldParams = old.getLayer(0).paramTable();
        oldParams.get(NolaLayer.ALPHA_KEY).assign(Nd4j.createFromArray(alpha).reshape(1, 7));
        oldParams.get(NolaLayer.BETA_KEY).assign(Nd4j.createFromArray(beta).reshape(1, 9));
        NolaFactors.convertCoefficients(alpha, beta, 1, 2, FAN_IN);
        assertEquals(oldParams.get(NolaLayer.ALPHA_KEY).getDouble(0) * Math.sqrt(3.0 / FAN_IN), alpha[0], 1e-6);
        assertEquals(oldParams.get(NolaLayer.BETA_KEY).getDouble(0) * Math.sqrt(3.0), beta[0], 1e-6);

        MultiLayerNetwork now = net(current);
        Map<String, INDArray> params = now.getLayer(0).paramTable();
        params.get(NolaLayer.WEIGHT_KEY).assign(oldParams.get(NolaLayer.WEIGHT_KEY));
        params.get(NolaLayer.ALPHA_KEY).assign(Nd4j.createFromArray(alpha).reshape(1, 7));
        params.get(NolaLayer.BETA_KEY).assign(Nd4j.createFromArray(beta).reshape(1, 9));
        INDArray before = oldLayer.scaledDelta(oldParams);
        assertTrue(before.amaxNumber().doubleValue() > 1e-3);
        assertEquals(0.0, before.sub(nola(now, 0).scaledDelta(params)).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void perLayerSeedsComeFromTheNameAndSharedFamilyIsTheDefault() {
        MultiLayerNetwork shared = net(conf(5, 5, false));
        assertEquals(42, nola(shared, 0).effectiveBasisSeed());
        assertEquals(42, nola(shared, 1).effectiveBasisSeed());
        MultiLayerNetwork own = net(conf(5, 5, true));
        assertEquals(BasisSeeds.forLayer(42, "a"), nola(own, 0).effectiveBasisSeed());
        assertEquals(BasisSeeds.forLayer(42, "b"), nola(own, 1).effectiveBasisSeed());
        assertNotEquals(nola(own, 0).effectiveBasisSeed(), nola(own, 1).effectiveBasisSeed());
        assertNotEquals(42, nola(own, 0).effectiveBasisSeed());
        // the first layer's α at step 0 comes from its own seed, so it differs from the shared family's
        assertNotEquals(shared.getLayer(0).getParam(NolaLayer.ALPHA_KEY), own.getLayer(0).getParam(NolaLayer.ALPHA_KEY));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf(5, 5, true).toJson());
        assertTrue(((NolaLayer) back.getConf(0).getLayer()).isBasisSeedPerLayer());
    }

    @Test
    void adapterFilesRecordTheDerivedSeedAndRefuseTheSharedFamily(@TempDir Path dir) throws IOException {
        MultiLayerNetwork own = net(conf(5, 5, true));
        Path file = dir.resolve("own.nola");
        AdapterFiles.save(AdaptedNetwork.of(own), file, "t", List.of("head"), WriteOptions.fp32());
        Adapter read = AdapterFiles.read(file);
        assertEquals(BasisSeeds.forLayer(42, "a"), read.layers().get(0).basisSeed());
        assertTrue(AdapterFiles.readConfigJson(file).contains(Long.toString(BasisSeeds.forLayer(42, "b"))));
        AdapterFiles.load(AdaptedNetwork.of(net(conf(5, 5, true))), file, LoadOptions.STRICT);
        AdapterMismatchException e = assertThrows(AdapterMismatchException.class, () ->
                AdapterFiles.load(AdaptedNetwork.of(net(conf(5, 5, false))), file, LoadOptions.STRICT));
        assertTrue(e.getMessage().contains("seed="), e.getMessage());
    }

    @Test
    void perLayerSeedDefinitionIsPinned() {
        // golden values of the definition in BasisSeeds (part of generator version 1): never change them
        assertEquals(GOLDEN_CONV1, BasisSeeds.forLayer(0x4E4F4C41L, "conv1"));
        assertEquals(GOLDEN_EMPTY_NAME_SEED_7, BasisSeeds.forLayer(7, ""));
        assertNotEquals(BasisSeeds.forLayer(7, "ab"), BasisSeeds.forLayer(7, "ba"));
    }

    @Test
    void defaultScaleIsOneOverRank() {
        assertEquals(0.125, new NolaDense.Builder().nIn(3).nOut(2).rank(8).build().getScale());
        assertEquals(1.0, new LoraDense.Builder().nIn(3).nOut(2).rank(1).build().getScale());
        assertEquals(0.7, new NolaDense.Builder().nIn(3).nOut(2).rank(8).scale(0.7).build().getScale());
    }

    static final long GOLDEN_CONV1 = 1647091245848071429L;
    static final long GOLDEN_EMPTY_NAME_SEED_7 = 7146694573757189493L;
}
