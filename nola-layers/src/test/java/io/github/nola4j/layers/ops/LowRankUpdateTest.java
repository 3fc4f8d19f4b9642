package io.github.nola4j.layers.ops;

import io.github.nola4j.layers.LoraDense;
import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaConv2d;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link LowRankUpdate}: ΔW in each orientation, against W + s·A·B by hand and the SameDiff graph. */
class LowRankUpdateTest {

    private static final int N_IN = 3;
    private static final int N_OUT = 5;
    private static final int KH = 2;
    private static final int KW = 3;
    private static final int RANK = 2;

    /** A one-layer double network around {@code layer}, its trainable parameters moved off zero. */
    private static Layer init(org.deeplearning4j.nn.conf.layers.Layer layer, InputType input) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).list().layer(layer).setInputType(input).build());
        net.init();
        Layer l = net.getLayer(0);
        Nd4j.getRandom().setSeed(11);
        for (String key : ((LowRankLayer) layer).trainableParamKeys()) {
            l.getParam(key).assign(Nd4j.randn(DataType.DOUBLE, l.getParam(key).shape()));
        }
        return l;
    }

    private static Layer nolaConv() {
        return init(new NolaConv2d.Builder().nIn(N_IN).nOut(N_OUT).kernelSize(KH, KW).rank(RANK).numBasesA(4)
                .numBasesB(3).scale(0.7).convolutionMode(ConvolutionMode.Same).build(),
                InputType.convolutional(6, 6, N_IN));
    }

    private static Layer loraDense() {
        return init(new LoraDense.Builder().nIn(N_IN).nOut(N_OUT).rank(RANK).scale(0.3).build(),
                InputType.feedForward(N_IN));
    }

    private static LowRankLayer conf(Layer layer) {
        return (LowRankLayer) layer.conf().getLayer();
    }

    private static LowRankUpdate update(Layer layer) {
        return conf(layer).update(layer.paramTable());
    }

    /** @return Σ_r A[f, r]·(s·B)[r, o], by hand */
    private static double delta(LowRankUpdate u, long f, long o) {
        double sum = 0;
        for (long r = 0; r < RANK; r++) {
            sum += u.a().getDouble(f, r) * u.b().getDouble(r, o);
        }
        return sum;
    }

    /** Same shape and the same double values bit for bit (INDArray.equals allows 1e-5). */
    private static void assertBitEqual(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble());
    }

    @Test
    void denseMergedWeightIsWPlusScaledAB() {
        Layer layer = loraDense();
        LowRankUpdate u = update(layer);
        Map<String, INDArray> p = layer.paramTable();
        assertEquals(0.0, u.b().sub(p.get(LoraLayer.B_KEY).mul(0.3)).amaxNumber().doubleValue(), 0.0);
        INDArray w = p.get(LowRankLayer.WEIGHT_KEY);
        INDArray merged = u.mergedWeight(w);
        assertArrayEquals(w.shape(), merged.shape());
        for (int i = 0; i < N_IN; i++) {
            for (int o = 0; o < N_OUT; o++) {
                assertEquals(w.getDouble(i, o) + delta(u, i, o), merged.getDouble(i, o), 1e-14);
            }
        }
        assertBitEqual(u.delta(), u.deltaInWeightLayout(DataType.DOUBLE));
        assertThrows(IllegalStateException.class, () -> u.mergedKernel(w));
    }

    @Test
    void convMergedWeightIsWPlusScaledABInTheKernelLayout() {
        Layer layer = nolaConv();
        LowRankUpdate u = update(layer);
        INDArray w = layer.getParam(LowRankLayer.WEIGHT_KEY);
        INDArray merged = u.mergedWeight(w);
        assertArrayEquals(new long[] {N_OUT, N_IN, KH, KW}, merged.shape());
        for (int o = 0; o < N_OUT; o++) {
            for (int i = 0; i < N_IN; i++) {
                for (int y = 0; y < KH; y++) {
                    for (int x = 0; x < KW; x++) {
                        long f = (i * KH + y) * KW + x;  // A's rows in (nIn, kH, kW) order
                        assertEquals(w.getDouble(o, i, y, x) + delta(u, f, o), merged.getDouble(o, i, y, x), 1e-14);
                    }
                }
            }
        }
        INDArray target = Nd4j.create(DataType.DOUBLE, w.shape());
        u.mergeInto(w, target);
        assertBitEqual(merged, target);
        assertBitEqual(merged.permute(2, 3, 1, 0), u.mergedKernel(w));
    }

    /** The graph's factors round differently (its bases carry the scale c); its ΔW from the same factors does not. */
    @Test
    void sameDiffGraphGivesTheSameDeltaBitForBit() {
        for (Layer layer : new Layer[] {nolaConv(), loraDense()}) {
            LowRankLayer conf = conf(layer);
            LowRankUpdate u = update(layer);
            SameDiff sd = SameDiff.create();
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            layer.paramTable().forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
            SDVariable[] graphFactors = conf.defineFactors(sd, vars, DataType.DOUBLE);
            assertEquals(0.0, u.a().sub(graphFactors[0].eval()).amaxNumber().doubleValue(), 1e-15);
            assertEquals(0.0, u.b().sub(graphFactors[1].eval()).amaxNumber().doubleValue(), 1e-15);
            SDVariable a = sd.var("A", u.a().dup());
            SDVariable b = sd.var("sB", u.b().dup());
            assertBitEqual(u.delta(), a.mmul(b).eval());
            if (conf.shape() instanceof ConvOperation) {
                INDArray graph = LowRankUpdate.defineMergedKernel(vars.get(LowRankLayer.WEIGHT_KEY), a, b,
                        conf.weightShape()).eval();
                assertBitEqual(u.mergedKernel(layer.getParam(LowRankLayer.WEIGHT_KEY)), graph);
            }
        }
    }

    @Test
    void factoredKernelsAndGradientLayoutsInvertEachOther() {
        LowRankUpdate u = update(nolaConv());
        INDArray aKernel = u.aKernel();
        assertArrayEquals(new long[] {KH, KW, N_IN, RANK}, aKernel.shape());
        assertEquals(u.a().getDouble((2 * KH + 1) * KW + 2, 1), aKernel.getDouble(1, 2, 2, 1), 0.0);
        assertBitEqual(u.a(), u.aFromKernel(aKernel));
        assertArrayEquals(new long[] {1, 1, RANK, N_OUT}, u.bKernel().shape());
        INDArray deltaKernel = u.deltaInWeightLayout(DataType.DOUBLE).permute(2, 3, 1, 0);
        assertBitEqual(u.delta().transpose(), u.deltaTransposedFromKernel(deltaKernel));
    }
}
