package io.github.nola4j.layers.quantization;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One quantiser: what quantisation-aware training computes with equals what a b-bit adapter file
 * decodes to, bit for bit, for every width 2-8, ties (v / scale = n + 1/2) included.
 */
class CoefficientQuantizationTest {

    private static final int NUM_BASES = 24;

    @TempDir
    Path dir;

    /** [1, n]: ±max, every exact tie ±(n + 1/2)·scale on a power-of-two scale, near-ties on a random scale, noise. */
    static float[] tiesAndRandom(int bits, long seed) {
        int qmax = CoefficientQuantization.maxCode(bits);
        Random r = new Random(seed);
        float scale = 1f / 16;
        float[] v = new float[NUM_BASES];
        v[0] = qmax * scale;
        v[1] = -qmax * scale;
        float randomScale = (float) (0.01 + r.nextDouble()) / qmax;
        for (int i = 2; i < v.length; i++) {
            int n = r.nextInt(qmax);
            float sign = r.nextBoolean() ? 1f : -1f;
            v[i] = switch (i % 3) {
                case 0 -> sign * (n + 0.5f) * scale;
                case 1 -> sign * Math.min(qmax * scale, (n + 0.5f) * randomScale);
                default -> (float) ((2 * r.nextDouble() - 1) * qmax * scale);
            };
        }
        return v;
    }

    private static void assertBitwise(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + " index " + i + ": file " + expected[i] + ", QAT " + actual[i]);
        }
    }

    @Test
    void graphAndArrayFormsEqualTheDecodedFileBitForBit() {
        for (int bits = CoefficientQuantization.MIN_BITS; bits <= CoefficientQuantization.MAX_BITS; bits++) {
            for (long seed = 0; seed < 8; seed++) {
                float[] v = tiesAndRandom(bits, 31 * bits + seed);
                float[] file = CoefficientQuantization.roundTrip(v, bits);
                INDArray array = Nd4j.createFromArray(v).reshape(1, v.length);
                SameDiff sd = SameDiff.create();
                SDVariable q = CoefficientQuantization.straightThrough(sd, sd.var("v", array.dup()), bits);
                assertBitwise(file, q.eval().toFloatVector(), "graph, " + bits + " bits");
                assertBitwise(file, CoefficientQuantization.quantize(array, bits).toFloatVector(),
                        "array, " + bits + " bits");
            }
        }
        assertBitwise(new float[3], CoefficientQuantization.quantize(Nd4j.createFromArray(0f, -0f, 0f)
                .reshape(1, 3), 4).toFloatVector(), "all-zero vector");
    }

    @Test
    void layerFactorsUseTheFileCoefficients() {
        for (int bits = CoefficientQuantization.MIN_BITS; bits <= CoefficientQuantization.MAX_BITS; bits++) {
            MultiLayerNetwork qat = net(bits);
            MultiLayerNetwork plain = net(0);
            onTies(qat, bits);
            plain.setParams(qat.params());
            LowRankLayer qatLayer = (LowRankLayer) qat.getLayer(0).conf().getLayer();
            LowRankLayer plainLayer = (LowRankLayer) plain.getLayer(0).conf().getLayer();
            for (String key : List.of(NolaLayer.ALPHA_KEY, NolaLayer.BETA_KEY)) {
                INDArray p = plain.getLayer(0).getParam(key);
                p.assign(Nd4j.createFromArray(CoefficientQuantization.roundTrip(p.toFloatVector(), bits))
                        .reshape(p.shape()));
            }
            INDArray[] fromArrays = qatLayer.factors(qat.getLayer(0).paramTable());
            INDArray[] expected = plainLayer.factors(plain.getLayer(0).paramTable());
            INDArray[] fromGraph = graphFactors(qatLayer, qat.getLayer(0).paramTable());
            INDArray[] expectedGraph = graphFactors(plainLayer, plain.getLayer(0).paramTable());
            for (int f = 0; f < 2; f++) {
                assertBitwise(flat(expected[f]), flat(fromArrays[f]), "array factor " + f + ", " + bits + " bits");
                assertBitwise(flat(expectedGraph[f]), flat(fromGraph[f]), "graph factor " + f + ", " + bits + " bits");
            }
        }
    }

    @Test
    void qatNetworkEqualsAPlainCopyLoadedFromABBitFile() throws IOException {
        for (int bits = CoefficientQuantization.MIN_BITS; bits <= CoefficientQuantization.MAX_BITS; bits++) {
            MultiLayerNetwork qat = net(bits);
            onTies(qat, bits);
            Path file = dir.resolve("q" + bits + AdapterFiles.EXTENSION);
            AdapterFiles.save(AdaptedNetwork.of(qat), file, "ties", List.of("head"), WriteOptions.quantized(bits));

            MultiLayerNetwork plain = net(0);
            plain.setParams(qat.params());
            plain.getLayer(0).getParam(NolaLayer.ALPHA_KEY).assign(0);
            plain.getLayer(0).getParam(NolaLayer.BETA_KEY).assign(0);
            AdapterFiles.load(AdaptedNetwork.of(plain), file, LoadOptions.STRICT);

            INDArray x = Nd4j.rand(DataType.FLOAT, 7, 5);
            assertEquals(qat.output(x), plain.output(x), bits + " bits: QAT network vs plain copy from the file");
            assertBitwise(flat(qat.output(x)), flat(plain.output(x)), bits + " bits output");
        }
    }

    private static float[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }

    private static INDArray[] graphFactors(LowRankLayer layer, Map<String, INDArray> params) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = Map.of(
                NolaLayer.ALPHA_KEY, sd.var(NolaLayer.ALPHA_KEY, params.get(NolaLayer.ALPHA_KEY).dup()),
                NolaLayer.BETA_KEY, sd.var(NolaLayer.BETA_KEY, params.get(NolaLayer.BETA_KEY).dup()));
        SDVariable[] f = layer.defineFactors(sd, vars, DataType.FLOAT);
        return new INDArray[] {f[0].eval(), f[1].eval()};
    }

    private static void onTies(MultiLayerNetwork net, int bits) {
        for (String key : List.of(NolaLayer.ALPHA_KEY, NolaLayer.BETA_KEY)) {
            INDArray p = net.getLayer(0).getParam(key);
            float[] v = tiesAndRandom(bits, key.hashCode() + bits);
            p.assign(Nd4j.createFromArray(v).reshape(p.shape()));
        }
    }

    private static MultiLayerNetwork net(int bits) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new NoOp()).list()
                .layer(new NolaDense.Builder().name("dense").nOut(6).rank(2).numBasesA(NUM_BASES)
                        .numBasesB(NUM_BASES).quantizationBits(bits).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("head").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        return net;
    }
}
