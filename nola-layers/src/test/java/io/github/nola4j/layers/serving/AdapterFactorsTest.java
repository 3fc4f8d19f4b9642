package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.LoraDense;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterCapture;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An adapter's factors built together (one GEMM per group of layers with equal basis rows) equal the per-layer
 * build, layer by layer, and a served pass from them equals one from factors built per layer on demand.
 */
class AdapterFactorsTest {

    /**
     * Layers 0-3 in one basis family (seed 7): 0 and 1 share A's rows and B's rows, 2 shares A's rows only, 3 is
     * quantisation-aware; layer 4 another family (seed 8); layer 5 LoRA.
     */
    private static MultiLayerNetwork net(DataType dt) {
        var conf = new NeuralNetConfiguration.Builder().seed(5).dataType(dt).list()
                .layer(dense(6, 7))
                .layer(dense(6, 7))
                .layer(dense(4, 7))
                .layer(new NolaDense.Builder().nOut(6).rank(2).numBasesA(8).numBasesB(6).basisSeed(7).scale(0.5)
                        .quantizationBits(4).activation(Activation.TANH).build())
                .layer(dense(6, 8))
                .layer(new LoraDense.Builder().nOut(5).rank(2).initSeed(3).scale(0.5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static NolaDense dense(int nOut, long seed) {
        return new NolaDense.Builder().nOut(nOut).rank(2).numBasesA(8).numBasesB(6).basisSeed(seed).scale(0.5)
                .activation(Activation.TANH).build();
    }

    /** Random trainable values in every adapter layer (β is 0 at step 0). */
    private static void randomise(MultiLayerNetwork net, DataType dt, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (Layer layer : net.getLayers()) {
            layer.paramTable().forEach((key, p) -> {
                if (!key.equals("W") && !key.equals("b")) {
                    p.assign(Nd4j.rand(dt, p.shape()).subi(0.5));
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void factorsBuiltTogetherEqualThePerLayerBuild(DataType dt) {
        double tolerance = dt == DataType.DOUBLE ? 1e-12 : 1e-6;
        MultiLayerNetwork base = net(dt);
        AdaptedNetwork adapted = AdaptedNetwork.of(base);
        ResidentAdapters adapters = new ResidentAdapters(adapted, LoadOptions.STRICT, 0);
        randomise(base, dt, 1);
        ResidentAdapter resident = adapters.add("t", AdapterCapture.capture(adapted, "t", List.of()));
        List<Layer> layers = adapted.adapterLayers();
        AdapterFactors together = new AdapterFactors(layers);
        assertEquals(2 + 2 + 2, together.products(), "family 7: A rows 6 (layers 0-2) and 4 (layer 3), B rows 6"
                + " (layers 0, 1, 3) and 4 (layer 2); family 8: one each");
        LowRankUpdate[] built = together.build(resident);
        long bytes = 0;
        for (LowRankUpdate u : built) {
            bytes += (u.a().length() + u.b().length()) * dt.width();
        }
        assertEquals(bytes, together.bytes());
        for (int i = 0; i < layers.size(); i++) {
            LowRankUpdate own = FactorCache.build(resident, i, layers.get(i));
            assertClose(own.a(), built[i].a(), tolerance, "A of layer " + i);
            assertClose(own.b(), built[i].b(), tolerance, "s·B of layer " + i);
            assertTrue(built[i].a().amaxNumber().doubleValue() > 0, "layer " + i + " has a non-zero A");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void servedOutputsFromWholeAdapterBuildsEqualThoseBuiltPerLayer(DataType dt) throws Exception {
        double tolerance = dt == DataType.DOUBLE ? 1e-12 : 1e-6;
        MultiLayerNetwork base = net(dt);
        AdaptedNetwork adapted = AdaptedNetwork.of(base);
        MixedAdapterNetwork together = MixedAdapterNetwork.of(base, 1L << 20);   // a miss builds the whole adapter
        MixedAdapterNetwork perLayer = MixedAdapterNetwork.of(base, 0);   // no cache: each pass builds per layer
        for (int t = 0; t < 2; t++) {
            randomise(base, dt, 10 + t);
            var adapter = AdapterCapture.capture(adapted, "t" + t, List.of());
            together.adapters().add("t" + t, adapter);
            perLayer.adapters().add("t" + t, adapter);
        }
        assertTrue(together.factors().awaitBuilds(20_000));
        int layers = adapted.adapterLayers().size();
        assertEquals(2 * layers, together.factors().counts()[1], "the builder thread built every layer");
        together.factors().evict(together.adapters().get("t0"));   // t0's first pass builds its own, whole
        INDArray x = Nd4j.rand(dt, 4, 6);
        List<String> rows = List.of("t1", "t0", MixedAdapterNetwork.BASE, "t0");
        INDArray y = together.output(x, rows);
        assertEquals(3 * layers, together.factors().counts()[1], "the pass built t0's layers");
        assertEquals(2 * new AdapterFactors(adapted.adapterLayers()).bytes(), together.factors().bytes(),
                "and cached them");
        assertClose(perLayer.output(x, rows), y, tolerance, "served outputs");
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = Math.max(expected.amaxNumber().doubleValue(), Double.MIN_NORMAL);
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= relative * scale, what + ": largest difference " + diff + " > " + relative + " x " + scale);
    }
}
