package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.LoraLayer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.github.nola4j.layers.attention.NolaAttentionTest.ATTENTION;
import static io.github.nola4j.layers.attention.NolaAttentionTest.adapted;
import static io.github.nola4j.layers.attention.NolaAttentionTest.data;
import static io.github.nola4j.layers.attention.NolaAttentionTest.net;
import static io.github.nola4j.layers.attention.NolaAttentionTest.recurrentAttention;
import static io.github.nola4j.layers.attention.NolaAttentionTest.selfAttention;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LoraAttention}, the LoRA baseline on DL4J's attention layers, in {@link NolaAttentionTest}'s networks:
 * equal to the original at step 0, equal to the original with W + A·(s·B) at B ≠ 0, A starting as a LoRA layer's,
 * frozen weights bit-identical after fit, gradients checked in double.
 */
class LoraAttentionTest {

    private static LoraAttention conf(MultiLayerNetwork net) {
        return (LoraAttention) net.getLayerWiseConfigurations().getConf(ATTENTION).getLayer();
    }

    private static void randomiseB(MultiLayerNetwork net) {
        Nd4j.getRandom().setSeed(23);
        for (AttentionProjection p : conf(net).getProjections()) {
            INDArray b = net.getLayer(ATTENTION).getParam(conf(net).secondKey(p));
            b.assign(Nd4j.randn(b.dataType(), b.shape()));
        }
    }

    @Test
    void equalsTheOriginalAtStepZeroAndWithTheUpdateMergedIn() {
        for (SameDiffLayer original : new SameDiffLayer[] {selfAttention(), recurrentAttention()}) {
            MultiLayerNetwork plain = net(original.clone(), DataType.DOUBLE);
            MultiLayerNetwork lora = adapted(plain, new LoraAttention.Builder(original)
                    .projections(AttentionProjection.values()).rank(2).scale(0.5).basisSeed(9), DataType.DOUBLE);
            INDArray x = data(DataType.DOUBLE, 3).getFeatures();
            assertArrayEquals(plain.output(x).data().asDouble(), lora.output(x).data().asDouble(), "at B = 0");
            LoraAttention conf = conf(lora);
            AttentionProjection q = AttentionProjection.Q;
            assertEquals(LoraLayer.initialA(9, conf.fanIn(q), 2, DataType.DOUBLE),
                    lora.getLayer(ATTENTION).getParam("loraAQ"), "A starts as a LoRA layer's");
            randomiseB(lora);
            for (AttentionProjection p : conf.getProjections()) {
                INDArray a = lora.getLayer(ATTENTION).getParam(conf.firstKey(p));
                INDArray delta = a.mmul(lora.getLayer(ATTENTION).getParam(conf.secondKey(p)).mul(0.5));
                INDArray inLayout = p == AttentionProjection.O ? delta
                        : delta.transpose().dup('c').reshape('c', conf.weightShape(p));
                plain.getLayer(ATTENTION).getParam(p.weightKey()).addi(inLayout);
            }
            INDArray expected = plain.output(x);
            assertTrue(expected.equalsWithEps(lora.output(x), 1e-12), original.getClass().getSimpleName());
            assertFalse(expected.equalsWithEps(net(original.clone(), DataType.DOUBLE).output(x), 1e-3));
        }
    }

    @Test
    void frozenWeightsStayBitIdenticalWhileTheFactorsTrain() {
        MultiLayerNetwork plain = net(selfAttention(), DataType.FLOAT);
        MultiLayerNetwork lora = adapted(plain, new LoraAttention.Builder(selfAttention()).rank(2), DataType.FLOAT);
        Map<String, INDArray> before = NolaAttentionTest.copy(lora.getLayer(ATTENTION).paramTable());
        DataSet ds = data(DataType.FLOAT, 6);
        double first = lora.score(ds);
        for (int i = 0; i < 5; i++) {
            lora.fit(ds);
        }
        assertEquals(Set.of("loraAQ", "loraBQ", "loraAV", "loraBV"), new HashSet<>(conf(lora).trainableParamKeys()));
        assertEquals(2 * (2 * 4 + 2 * 6), conf(lora).numTrainableParams(), "r·(fanIn + nOut) on Wq and Wv");
        for (Map.Entry<String, INDArray> p : lora.getLayer(ATTENTION).paramTable().entrySet()) {
            float[] was = before.get(p.getKey()).data().asFloat();
            float[] now = p.getValue().dup().data().asFloat();
            if (!conf(lora).trainableParamKeys().contains(p.getKey())) {
                assertArrayEquals(was, now, p.getKey() + " is frozen");
            } else {
                assertFalse(Arrays.equals(was, now), p.getKey() + " trains");
            }
        }
        assertTrue(lora.score(ds) < first, "the loss fell: " + first + " -> " + lora.score(ds));
    }

    @Test
    void passesGradientCheckInDouble() {
        MultiLayerNetwork plain = net(selfAttention(), DataType.DOUBLE);
        MultiLayerNetwork lora = adapted(plain, new LoraAttention.Builder(selfAttention()).projections(
                AttentionProjection.K, AttentionProjection.V, AttentionProjection.O).rank(2).updater(new NoOp()),
                DataType.DOUBLE);
        randomiseB(lora);
        DataSet ds = data(DataType.DOUBLE, 3);
        Set<String> frozen = new HashSet<>();
        plain.getLayer(ATTENTION).paramTable().keySet().forEach(k -> frozen.add(ATTENTION + "_" + k));
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(lora)
                    .input(ds.getFeatures()).labels(ds.getLabels()).epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-9).excludeParams(frozen).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)),
                    "gradient check failed; see the log");
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @Test
    void refusesQuantisationAwareTraining() {
        IllegalArgumentException bits = assertThrows(IllegalArgumentException.class,
                () -> new LoraAttention.Builder(selfAttention()).quantizationBits(4).build());
        assertTrue(bits.getMessage().contains("quantizationBits = 4") && bits.getMessage().contains("NolaAttention"),
                bits.getMessage());
    }
}
