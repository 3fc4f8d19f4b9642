package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.zoo.AdapterKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Save and load round trips of graph adapters: fp32 bit-exact, 4-bit equal to the QAT forward, LoRA, kernels. */
class GraphAdapterFilesTest {

    @TempDir
    Path dir;

    @Test
    void fp32RoundTripGivesBitIdenticalOutputs() throws Exception {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 4);
        GraphTransferResult trained = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(8, 6)
                .basisSeed(7).build();
        GraphFixtures.train(trained.sameDiff(), data, 10, 5e-2);
        INDArray expected = GraphFixtures.output(trained.sameDiff(), data.getFeatures());
        Path file = dir.resolve("mlp.nola");
        Adapter saved = GraphAdapterFiles.save(trained, file, "task", WriteOptions.fp32());

        GraphTransferResult fresh = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).rank(2).numBases(8, 6)
                .basisSeed(7).build();
        assertNotEquals(expected, GraphFixtures.output(fresh.sameDiff(), data.getFeatures()), "training did nothing");
        GraphAdapterFiles.load(fresh, file, LoadOptions.STRICT);
        GraphFixtures.assertBitIdentical(expected, GraphFixtures.output(fresh.sameDiff(), data.getFeatures()), "out");
        for (String v : trained.trainableVariables()) {
            GraphFixtures.assertBitIdentical(trained.sameDiff().getVariable(v).getArr(),
                    fresh.sameDiff().getVariable(v).getArr(), v);
        }

        Adapter read = AdapterFiles.read(file);
        assertEquals(trained.baseFingerprint(), read.baseFingerprint());
        assertEquals(2, read.layers().size());
        LayerAdapter w1 = read.layers().get(1);
        assertEquals("w1", w1.name());
        assertEquals("SameDiff:DENSE_TRANSPOSED", w1.type());
        assertArrayEquals(new long[] {6, 3}, w1.weightShape(), "[fanIn, nOut] of w1 [3, 6] read transposed");
        assertEquals(8, w1.numBasesA());
        assertEquals(7, w1.basisSeed());
        assertArrayEquals(saved.layers().get(1).beta(), w1.beta());
        assertTrue(AdapterFiles.readConfigJson(file).contains("NolaGraphTransfer"));
    }

    @Test
    void fourBitFileEqualsTheQuantisationAwareForward() throws Exception {
        SameDiff base = GraphFixtures.mlp(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 4);
        GraphTransferResult trained = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL).numBases(16, 16)
                .quantizationBits(4).build();
        GraphFixtures.train(trained.sameDiff(), data, 10, 5e-2);
        INDArray expected = GraphFixtures.output(trained.sameDiff(), data.getFeatures());
        Path file = dir.resolve("q4.nola");
        GraphAdapterFiles.save(trained, file, "q4", WriteOptions.quantized(4));

        GraphTransferResult restored = NolaGraphTransfer.of(base).restore(file);
        assertEquals(4, restored.adaptedWeights().get(0).spec().quantizationBits());
        // QAT's forward and a b-bit file decode to the same coefficients bit for bit (CoefficientQuantization)
        GraphFixtures.assertBitIdentical(expected, GraphFixtures.output(restored.sameDiff(), data.getFeatures()),
                "4-bit file vs QAT forward");
    }

    @Test
    void loraAndKernelAdaptersRoundTripBitExactly() throws Exception {
        SameDiff base = GraphFixtures.conv(DataType.FLOAT);
        DataSet data = GraphFixtures.data(DataType.FLOAT, 12, 2, 5, 5);
        GraphTransferResult trained = NolaGraphTransfer.of(base).targetOps(WeightOp.CONV2D, WeightOp.MATMUL)
                .kind(AdapterKind.LORA).rank(2).override("k", s -> s.withKind(AdapterKind.NOLA).withNumBases(8, 4))
                .build();
        GraphFixtures.train(trained.sameDiff(), data, 5, 5e-2);
        INDArray expected = GraphFixtures.output(trained.sameDiff(), data.getFeatures());
        Path file = dir.resolve("conv.nola");
        GraphAdapterFiles.save(trained, file, "conv", WriteOptions.fp32().plainConfig());

        Adapter read = AdapterFiles.read(file);
        assertEquals(LayerAdapterKind.NOLA, read.layers().get(0).kind());
        assertArrayEquals(new long[] {4, 2, 3, 3}, read.layers().get(0).weightShape(), "k YXIO [3,3,2,4] as OIYX");
        assertEquals(LayerAdapterKind.LORA, read.layers().get(1).kind());
        assertEquals(36 * 2, read.layers().get(1).numBasesA(), "LoRA A [fanIn, r]");
        GraphTransferResult restored = NolaGraphTransfer.of(base).restore(file);
        GraphFixtures.assertBitIdentical(expected, GraphFixtures.output(restored.sameDiff(), data.getFeatures()),
                "restored LoRA + NOLA kernel graph");
    }
}
