package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.AdapterException;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every mismatch is a typed exception and leaves the network exactly as it was. */
class AdapterApplierTest {

    private final MultiLayerNetwork trained = trained();
    private final Adapter adapter = AdapterCapture.capture(AdaptedNetwork.of(trained), "t", TestNets.HEAD);

    private static MultiLayerNetwork trained() {
        MultiLayerNetwork net = TestNets.base(1, 3);
        TestNets.pretendTrained(net, 5);
        return net;
    }

    private static <T extends AdapterException> T rejected(Class<T> type, MultiLayerNetwork net, Adapter a,
                                                            LoadOptions options, String... words) {
        float[] before = TestNets.params(net);
        T e = assertThrows(type, () -> AdapterApplier.apply(AdaptedNetwork.of(net), a, options));
        assertArrayEquals(before, TestNets.params(net), "network changed by a failed load: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
        return e;
    }

    @Test
    void anotherBaseIsRejectedUnlessAllowedOnPurpose() {
        MultiLayerNetwork other = TestNets.base(99, 3);
        rejected(AdapterMismatchException.class, other, adapter, LoadOptions.STRICT, "fingerprint",
                "ALLOW_DIFFERENT_BASE");
        AdapterApplier.apply(AdaptedNetwork.of(other), adapter, LoadOptions.ALLOW_DIFFERENT_BASE);
        INDArray beta = other.getLayer("dense").getParam("beta");
        assertEquals(trained.getLayer("dense").getParam("beta"), beta);
    }

    @Test
    void anotherShapeIsRejectedNamingTheLayer() {
        rejected(AdapterMismatchException.class, TestNets.base(1, 3, 7), adapter, LoadOptions.ALLOW_DIFFERENT_BASE,
                "\"dense\"", "[64, 6]", "[64, 7]");
    }

    @Test
    void anotherHeadShapeIsRejected() {
        rejected(AdapterMismatchException.class, TestNets.base(1, 4), adapter, LoadOptions.STRICT, "head/W");
    }

    @Test
    void otherGeneratorVersionIsRejected() {
        Adapter v2 = new Adapter("t", adapter.generatorId(), adapter.generatorVersion() + 1, adapter.baseFingerprint(),
                adapter.layers(), adapter.extraTensors());
        rejected(AdapterMismatchException.class, TestNets.base(1, 3), v2, LoadOptions.STRICT, "generator");
    }

    @Test
    void missingOrUnknownLayersAreRejected() {
        Adapter missing = new Adapter("t", adapter.generatorId(), adapter.generatorVersion(),
                adapter.baseFingerprint(), adapter.layers().subList(0, 1), adapter.extraTensors());
        rejected(AdapterMismatchException.class, TestNets.base(1, 3), missing, LoadOptions.STRICT, "[conv, dense]");
        List<ExtraTensor> extras = new ArrayList<>(adapter.extraTensors());
        extras.add(new ExtraTensor("nosuch", "W", new long[] {1}, new float[1]));
        Adapter unknown = new Adapter("t", adapter.generatorId(), adapter.generatorVersion(),
                adapter.baseFingerprint(), adapter.layers(), extras);
        rejected(AdapterMismatchException.class, TestNets.base(1, 3), unknown, LoadOptions.STRICT, "nosuch");
    }

    @Test
    void nonFiniteCoefficientsAreRejectedInMemoryToo() {
        LayerAdapter l0 = adapter.layers().get(0);
        float[] beta = l0.beta().clone();
        beta[3] = Float.POSITIVE_INFINITY;
        Adapter bad = new Adapter("t", adapter.generatorId(), adapter.generatorVersion(), adapter.baseFingerprint(),
                List.of(l0.withCoefficients(l0.alpha(), beta), adapter.layers().get(1)), adapter.extraTensors());
        rejected(AdapterFormatException.class, TestNets.base(1, 3), bad, LoadOptions.STRICT, "conv/beta[3]");
    }

    @Test
    void worksOnAComputationGraphToo() {
        ComputationGraph a = graph();
        TestNets.pretendTrained(a, 6);
        Adapter ga = AdapterCapture.capture(AdaptedNetwork.of(a), "g", TestNets.HEAD);
        ComputationGraph b = graph();
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 5);
        assertNotEquals(a.outputSingle(x), b.outputSingle(x));
        AdapterApplier.apply(AdaptedNetwork.of(b), AdapterCodec.decode(AdapterCodec.encode(ga, WriteOptions.fp32())),
                LoadOptions.STRICT);
        assertEquals(a.outputSingle(x), b.outputSingle(x));
    }

    private static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in")
                .addLayer("hidden", new NolaDense.Builder().nIn(5).nOut(4).rank(2).numBasesA(8).numBasesB(8)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("head", new OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build(), "hidden")
                .setOutputs("head").setInputTypes(InputType.feedForward(5)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
