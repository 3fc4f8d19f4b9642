package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.LoraConv2d;
import io.github.nola4j.layers.LoraDense;
import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** LoRA adapters (A and B stored in full) save, load, switch in a bank and merge in place like NOLA ones. */
class LoraAdapterTest {

    @TempDir
    Path dir;

    private final INDArray x = TestNets.input(3);

    /** LoraConv2d "conv" [4, 1, 3, 3] r 2 → LoraDense "dense" [64, 6] r 2 → OutputLayer "head". */
    static MultiLayerNetwork base(long initSeed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).list()
                .layer(new LoraConv2d.Builder().name("conv").nOut(4).kernelSize(3, 3).rank(2).scale(0.5)
                        .initSeed(initSeed).activation(Activation.RELU).build())
                .layer(new LoraDense.Builder().name("dense").nOut(6).rank(2).scale(0.5).initSeed(initSeed + 1)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().name("head").nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Stands in for training: random A, B and head. */
    static void pretendTrained(Model net, long seed) {
        Random r = new Random(seed);
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        for (Layer layer : adapted.adapterLayers()) {
            fill(layer.getParam(LoraLayer.A_KEY), r);
            fill(layer.getParam(LoraLayer.B_KEY), r);
        }
        for (INDArray p : adapted.layer("head").paramTable().values()) {
            fill(p, r);
        }
    }

    private static void fill(INDArray p, Random r) {
        float[] v = new float[(int) p.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        p.assign(Nd4j.createFromArray(v).reshape(p.shape()));
    }

    private static Adapter trained(long seed, long initSeed) {
        MultiLayerNetwork t = base(initSeed);
        pretendTrained(t, seed);
        return AdapterCapture.capture(AdaptedNetwork.of(t), "lora" + seed, TestNets.HEAD);
    }

    @Test
    void saveLoadRoundTripIsBitExact() throws Exception {
        MultiLayerNetwork trained = base(5);
        pretendTrained(trained, 7);
        Path file = dir.resolve("lora.nola");
        Adapter saved = AdapterFiles.save(AdaptedNetwork.of(trained), file, "lora", TestNets.HEAD,
                WriteOptions.fp32());
        MultiLayerNetwork fresh = base(5);
        AdapterFiles.load(AdaptedNetwork.of(fresh), file, LoadOptions.STRICT);
        assertArrayEquals(TestNets.params(trained), TestNets.params(fresh));
        assertEquals(trained.output(x), fresh.output(x));

        Adapter read = AdapterFiles.read(file);
        LayerAdapter conv = read.layers().get(0);
        assertEquals(LayerAdapterKind.LORA, conv.kind());
        assertEquals("LoraConv2d", conv.type());
        assertEquals(9 * 2, conv.numBasesA(), "A [fanIn 9, r 2]");
        assertEquals(2 * 4, conv.numBasesB(), "B [r 2, nOut 4]");
        assertArrayEquals(saved.layers().get(1).alpha(), read.layers().get(1).alpha());
        String json = AdapterFiles.readConfigJson(file);
        assertTrue(json.contains("\"kind\" : \"lora\""), json);
        assertTrue(json.contains("\"peft_type\" : \"LORA\""), json);
    }

    @Test
    void quantisedLoraFileHoldsTheRoundedFactors() throws Exception {
        MultiLayerNetwork trained = base(5);
        pretendTrained(trained, 8);
        Path file = dir.resolve("lora-q8.nola");
        Adapter saved = AdapterFiles.save(AdaptedNetwork.of(trained), file, "q8", TestNets.HEAD,
                WriteOptions.quantized(8));
        Adapter read = AdapterFiles.read(file);
        for (int i = 0; i < saved.layers().size(); i++) {
            assertArrayEquals(io.github.nola4j.layers.quantization.CoefficientQuantization.roundTrip(saved.layers().get(i).alpha(), 8),
                    read.layers().get(i).alpha());
            assertArrayEquals(io.github.nola4j.layers.quantization.CoefficientQuantization.roundTrip(saved.layers().get(i).beta(), 8),
                    read.layers().get(i).beta());
        }
    }

    @Test
    void bankSwitchesBetweenTwoLoraAdaptersAndDetachesToTheBase() {
        MultiLayerNetwork net = base(5);
        float[] pristine = TestNets.params(net);
        INDArray baseOut = net.output(x);
        Adapter a = trained(11, 5);
        Adapter b = trained(12, 99); // another init seed: A's starting values do not change what A·B means
        MultiLayerNetwork onlyA = base(5);
        AdapterApplier.apply(AdaptedNetwork.of(onlyA), a, LoadOptions.STRICT);

        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(net), TestNets.HEAD, LoadOptions.STRICT);
        bank.add("a", a);
        bank.add("b", b);
        bank.activate("a");
        INDArray outA = net.output(x);
        assertEquals(onlyA.output(x), outA);
        bank.activate("b");
        assertNotEquals(outA, net.output(x));
        bank.activate("a");
        assertEquals(outA, net.output(x));
        bank.useBase();
        assertEquals(baseOut, net.output(x));
        for (Layer layer : AdaptedNetwork.of(net).adapterLayers()) {
            assertEquals(0, layer.getParam(LoraLayer.B_KEY).amaxNumber().doubleValue(), "detached: B = 0");
        }
        float[] detached = TestNets.params(net);
        assertEquals(pristine.length, detached.length);
    }

    @Test
    void mergeInPlaceKeepsTheOutputAndUnmergeRestoresEveryBit() {
        MultiLayerNetwork net = base(5);
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(net), TestNets.HEAD, LoadOptions.STRICT);
        bank.add("a", trained(11, 5));
        bank.activate("a");
        float[] active = TestNets.params(net);
        INDArray outA = net.output(x);
        bank.merge();
        assertTrue(bank.isMerged());
        for (Layer layer : AdaptedNetwork.of(net).adapterLayers()) {
            assertEquals(0, layer.getParam(LoraLayer.B_KEY).amaxNumber().doubleValue(), "merged: B = 0");
        }
        INDArray merged = net.output(x);
        assertTrue(merged.sub(outA).amaxNumber().doubleValue() < 1e-5, "merged output differs: " + merged + outA);
        bank.unmerge();
        assertArrayEquals(active, TestNets.params(net));
        assertEquals(outA, net.output(x));
    }

    @Test
    void aNolaAdapterIsRefusedByLoraLayersAndTheNetworkIsUnchanged() throws Exception {
        MultiLayerNetwork nola = TestNets.base(1, 3);
        TestNets.pretendTrained(nola, 4);
        Path file = dir.resolve("nola.nola");
        AdapterFiles.save(AdaptedNetwork.of(nola), file, "nola", TestNets.HEAD, WriteOptions.fp32());
        MultiLayerNetwork lora = base(5);
        float[] before = TestNets.params(lora);
        AdapterMismatchException e = assertThrows(AdapterMismatchException.class,
                () -> AdapterFiles.load(AdaptedNetwork.of(lora), file, LoadOptions.ALLOW_DIFFERENT_BASE));
        assertTrue(e.getMessage().contains("LoraConv2d"), e.getMessage());
        assertArrayEquals(before, TestNets.params(lora));
        assertTrue(Files.exists(file));
    }
}
