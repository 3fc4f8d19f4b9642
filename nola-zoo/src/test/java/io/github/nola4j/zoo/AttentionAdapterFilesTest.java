package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterBank;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adapter files, switching and merge for NOLA on DL4J attention layers in a {@link NolaTransfer} network:
 * [dense "embed", SelfAttentionLayer "attn" (2 heads of 4), average pooling, softmax "out"] on [minibatch, 3, 5],
 * "attn" adapted on q and v, or on all four projections (Wq, Wk, Wv [nHeads, headSize, nIn] and Wo [8, 8]: both
 * weight layouts).
 */
class AttentionAdapterFilesTest {

    private static final long[] INPUT = {3, 5};

    private static MultiLayerNetwork base(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("embed").nOut(8).activation(Activation.TANH).build())
                .layer(new SelfAttentionLayer.Builder().name("attn").nOut(8).nHeads(2).headSize(4).projectInput(true)
                        .build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(Fixtures.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(INPUT[0], INPUT[1])).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static NolaTransfer<MultiLayerNetwork> transfer(MultiLayerNetwork base, String... projections) {
        return transfer(base, AdapterKind.NOLA, projections);
    }

    private static NolaTransfer<MultiLayerNetwork> transfer(MultiLayerNetwork base, AdapterKind kind,
                                                            String... projections) {
        return NolaTransfer.of(base).targetNames("attn").kind(kind).attentionProjections(projections).rank(2)
                .numBases(16, 8)
                .replaceHead(Fixtures.CLASSES)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(3e-2)).seed(3).build());
    }

    private static TransferResult<MultiLayerNetwork> trained(MultiLayerNetwork base, int dataSeed,
                                                            String... projections) {
        return trained(transfer(base, projections), dataSeed);
    }

    private static TransferResult<MultiLayerNetwork> trained(NolaTransfer<MultiLayerNetwork> transfer, int dataSeed) {
        TransferResult<MultiLayerNetwork> r = transfer.build();
        DataSet data = Fixtures.data(DataType.FLOAT, 12, INPUT, Fixtures.CLASSES, dataSeed);
        for (int i = 0; i < 8; i++) {
            r.network().fit(data);
        }
        return r;
    }

    private static INDArray x() {
        return Fixtures.data(DataType.FLOAT, 6, INPUT, Fixtures.CLASSES, 11).getFeatures();
    }

    @Test
    void savedFileRestoresTheNetworkFromTheBaseAloneAndLoadsOntoAnotherCopy(@TempDir Path dir) throws Exception {
        TransferResult<MultiLayerNetwork> r = trained(base(5), 4, "q", "v");
        Path file = dir.resolve("attn.nola");
        Adapter saved = r.saveAdapter(file, "attn-task", WriteOptions.fp32());
        assertEquals(List.of("attn/Wq", "attn/Wv"), saved.layers().stream().map(LayerAdapter::name).toList());
        LayerAdapter q = saved.layers().get(0);
        assertEquals("NolaAttention", q.type());
        assertArrayEquals(new long[] {2, 4, 8}, q.weightShape());
        assertEquals(8, q.fanIn(), "fanIn of Wq [nHeads, headSize, nIn] is nIn");
        assertEquals(16, q.alpha().length);

        INDArray expected = r.network().output(x());
        TransferResult<MultiLayerNetwork> restored = NolaTransfer.of(base(5)).restore(file);
        assertTrue(Fixtures.bitIdentical(expected, restored.network().output(x())), "restored from base + file");
        assertEquals(List.of("attn"), restored.adaptedLayers());

        TransferResult<MultiLayerNetwork> other = transfer(base(5), "q", "v").build();
        assertFalse(Fixtures.bitIdentical(expected, other.network().output(x())), "a fresh network differs");
        AdapterFiles.load(AdaptedNetwork.of(other.network()), file, LoadOptions.STRICT);
        assertTrue(Fixtures.bitIdentical(expected, other.network().output(x())), "loaded onto another copy");
    }

    @Test
    void bankSwitchesBackToTheBaseAndMergesAllFourProjectionsBitExactly() {
        MultiLayerNetwork base = base(5);
        TransferResult<MultiLayerNetwork> built = transfer(base, "q", "k", "v", "o").build();
        MultiLayerNetwork net = built.network();
        INDArray baseOut = net.output(x());
        Map<String, INDArray> pristine = Fixtures.snapshot(net.getLayers());
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        assertEquals(4, adapted.adaptedWeights().size());
        AdapterBank bank = new AdapterBank(adapted, List.of("out"), LoadOptions.STRICT);

        TransferResult<MultiLayerNetwork> taskA = trained(base, 4, "q", "k", "v", "o");
        TransferResult<MultiLayerNetwork> taskB = trained(base, 8, "q", "k", "v", "o");
        bank.add("a", io.github.nola4j.layers.adapter.AdapterCapture.capture(AdaptedNetwork.of(taskA.network()), "a",
                List.of("out")));
        bank.add("b", io.github.nola4j.layers.adapter.AdapterCapture.capture(AdaptedNetwork.of(taskB.network()), "b",
                List.of("out")));
        INDArray outA = taskA.network().output(x());
        INDArray outB = taskB.network().output(x());

        for (int i = 0; i < 3; i++) {
            bank.activate("a");
            assertTrue(Fixtures.bitIdentical(outA, net.output(x())), "adapter a");
            bank.activate("b");
            assertTrue(Fixtures.bitIdentical(outB, net.output(x())), "adapter b");
        }
        INDArray wq = net.getLayer("attn").getParam("Wq").dup();
        INDArray wo = net.getLayer("attn").getParam("Wo").dup();
        bank.merge();
        assertFalse(Fixtures.bitIdentical(wq, net.getLayer("attn").getParam("Wq")), "Wq holds W + s·ΔW");
        assertFalse(Fixtures.bitIdentical(wo, net.getLayer("attn").getParam("Wo")), "Wo holds W + s·ΔW");
        assertEquals(0.0, net.getLayer("attn").getParam("betaO").norm1Number().doubleValue());
        INDArray merged = net.output(x());
        assertTrue(outB.equalsWithEps(merged, 1e-5), "merged computes the same function: "
                + Arrays.toString(outB.sub(merged).data().asFloat()));
        bank.unmerge();
        assertTrue(Fixtures.bitIdentical(wq, net.getLayer("attn").getParam("Wq")), "Wq back bit for bit");
        assertTrue(Fixtures.bitIdentical(wo, net.getLayer("attn").getParam("Wo")), "Wo back bit for bit");
        assertTrue(Fixtures.bitIdentical(outB, net.output(x())), "unmerged output");
        bank.merge();
        bank.useBase();
        assertTrue(Fixtures.bitIdentical(baseOut, net.output(x())), "the base again");
        Map<String, INDArray> after = Fixtures.snapshot(net.getLayers());
        Fixtures.assertBitIdentical(pristine, after, "every parameter after useBase");
    }

    /** LoRA on all four projections: A and B in full in the file, restored, switched and merged like NOLA. */
    @Test
    void loraOnTheProjectionsSavesRestoresAndMergesLikeNola(@TempDir Path dir) throws Exception {
        TransferResult<MultiLayerNetwork> r = trained(transfer(base(5), AdapterKind.LORA, "q", "k", "v", "o"), 4);
        Path file = dir.resolve("lora.nola");
        Adapter saved = r.saveAdapter(file, "lora", WriteOptions.fp32());
        LayerAdapter o = saved.layers().get(3);
        assertEquals("attn/Wo", o.name());
        assertEquals("LoraAttention", o.type());
        assertEquals(8 * 2, o.numBasesA(), "A [fanIn, r] in full");
        INDArray expected = r.network().output(x());
        TransferResult<MultiLayerNetwork> restored = NolaTransfer.of(base(5)).restore(file);
        assertTrue(Fixtures.bitIdentical(expected, restored.network().output(x())), "restored from base + file");

        MultiLayerNetwork net = restored.network();
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(net), List.of("out"), LoadOptions.STRICT);
        bank.add("lora", file);
        INDArray wv = net.getLayer("attn").getParam("Wv").dup();
        bank.merge();
        assertFalse(Fixtures.bitIdentical(wv, net.getLayer("attn").getParam("Wv")), "Wv holds W + A·(s·B)");
        assertTrue(expected.equalsWithEps(net.output(x()), 1e-5), "merged computes the same function");
        bank.unmerge();
        assertTrue(Fixtures.bitIdentical(wv, net.getLayer("attn").getParam("Wv")), "Wv back bit for bit");
        assertTrue(Fixtures.bitIdentical(expected, net.output(x())), "unmerged output");
    }

    @Test
    void refusesAnotherBaseAndBadFilesWithTheNetworkUntouched(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("attn.nola");
        trained(base(5), 4, "q", "v").saveAdapter(file, WriteOptions.quantized(4));

        TransferResult<MultiLayerNetwork> otherBase = transfer(base(6), "q", "v").build();
        Map<String, INDArray> before = Fixtures.snapshot(otherBase.network().getLayers());
        AdapterMismatchException wrongBase = assertThrows(AdapterMismatchException.class,
                () -> AdapterFiles.load(AdaptedNetwork.of(otherBase.network()), file, LoadOptions.STRICT));
        assertTrue(wrongBase.getMessage().contains("fingerprint"), wrongBase.getMessage());
        AdapterMismatchException restore = assertThrows(AdapterMismatchException.class,
                () -> NolaTransfer.of(base(6)).restore(file));
        assertTrue(restore.getMessage().contains("fingerprint"), restore.getMessage());

        TransferResult<MultiLayerNetwork> onlyQ = transfer(base(5), "q").build();
        Map<String, INDArray> beforeQ = Fixtures.snapshot(onlyQ.network().getLayers());
        AdapterMismatchException projections = assertThrows(AdapterMismatchException.class,
                () -> AdapterFiles.load(AdaptedNetwork.of(onlyQ.network()), file, LoadOptions.STRICT));
        assertTrue(projections.getMessage().contains("attn/Wv"), projections.getMessage());

        Path truncated = dir.resolve("truncated.nola");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
        assertThrows(AdapterFormatException.class,
                () -> AdapterFiles.load(AdaptedNetwork.of(otherBase.network()), truncated, LoadOptions.STRICT));

        IllegalArgumentException serving = assertThrows(IllegalArgumentException.class,
                () -> MixedAdapterNetwork.of(otherBase.network(), 1 << 20));
        assertTrue(serving.getMessage().contains("attn/Wq") && serving.getMessage().contains("AdapterBank"),
                serving.getMessage());

        Fixtures.assertBitIdentical(before, Fixtures.snapshot(otherBase.network().getLayers()), "the other base");
        Fixtures.assertBitIdentical(beforeQ, Fixtures.snapshot(onlyQ.network().getLayers()), "the q-only network");
    }
}
