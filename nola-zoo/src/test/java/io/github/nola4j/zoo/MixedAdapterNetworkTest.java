package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import io.github.nola4j.layers.serving.UnknownAdapterException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.github.nola4j.layers.serving.MixedAdapterNetwork.BASE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Mixed-adapter batches give every row what its adapter alone gives through an AdapterBank: a dense
 * network, a convolutional one (with a trainable BatchNorm replaced per task) and a graph, in float and
 * double, with 4-bit and fp32 files and a task that keeps the base's head.
 */
class MixedAdapterNetworkTest {

    private static final List<String> ROWS = List.of("task0", BASE, "task1", "task0", "headless", "task2", BASE,
            "task1");

    @TempDir
    Path dir;

    static MultiLayerNetwork denseBase(DataType dt) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(dt).list()
                .layer(new DenseLayer.Builder().name("fc1").nOut(12).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("fc2").nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(6)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** conv1 (nOut 4 &lt; 4 groups · rank 2) runs the groups' thin paths one by one, conv2 (nOut 8) stacked. */
    static MultiLayerNetwork convBase(DataType dt) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(dt)
                .convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().name("bn1").build())
                .layer(new SubsamplingLayer.Builder(2, 2).name("pool").stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(8).stride(2, 1).activation(Activation.TANH)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(10, 10, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph graphBase(DataType dt) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).dataType(dt)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("conv2", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.IDENTITY).build(),
                        "conv1")
                .addVertex("sum", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "conv1", "conv2")
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "sum")
                .addLayer("fc", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "pool")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 2)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    static <M extends Model> NolaTransfer<M> transfer(NolaTransfer<M> t) {
        return t.targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE).rank(2).numBases(5, 7).basisSeed(11).scale(0.5)
                .replaceHead(4);
    }

    /** Builds the adapters, then compares the mixed batch with the bank, row by row. */
    private void check(TransferResult<?> r, long[] inputShape, int bits, double tolerance) throws Exception {
        check(r, inputShape, bits, tolerance, ROWS);
    }

    /** @return the rows the bank gives, one adapter at a time */
    private INDArray check(TransferResult<?> r, long[] inputShape, int bits, double tolerance, List<String> rows)
            throws Exception {
        Map<String, Adapter> adapters = new java.util.LinkedHashMap<>();
        for (String name : ServingFixtures.write(r, dir, 3, 21, bits).keySet()) {
            adapters.put(name, AdapterFiles.read(dir.resolve(name + ".nola")));   // as the file holds it
        }
        adapters.put("headless", ServingFixtures.withoutExtras(adapters.get("task2")));
        Model copy = r.network() instanceof MultiLayerNetwork m ? m.clone() : ((ComputationGraph) r.network()).clone();
        MixedAdapterNetwork served = MixedAdapterNetwork.of(r.network(), 1L << 20);
        for (Map.Entry<String, Adapter> e : adapters.entrySet()) {
            if (e.getKey().equals("headless")) {
                served.adapters().add(e.getKey(), e.getValue());
            } else {
                served.adapters().add(e.getKey(), dir.resolve(e.getKey() + ".nola"));   // decoded from the file
            }
        }
        Nd4j.getRandom().setSeed(4);
        long[] shape = new long[inputShape.length + 1];
        shape[0] = rows.size();
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        INDArray x = Nd4j.rand(r.network() instanceof MultiLayerNetwork m
                ? m.getLayerWiseConfigurations().getDataType() : DataType.FLOAT, shape);
        INDArray got = served.output(x, rows);
        INDArray want = ServingFixtures.expected(copy, r.settings().savedLayers(), adapters, x, rows);
        ServingFixtures.assertRowsClose(want, got, tolerance, "mixed batch " + rows);
        if (rows == ROWS) {
            // the tasks really differ, so the comparison can fail
            assertNotEquals(want.getRow(0), want.getRow(2));
            assertNotEquals(want.getRow(0), want.getRow(1));
            assertNotEquals(want.getRow(4), want.getRow(5), "a task keeping the base head differs from its own");
        }
        // a second call reuses the replica and the cached factors and gives the same
        assertEquals(got, served.output(x, rows));
        if (x.dataType() == DataType.FLOAT) {   // the batch threads' call: Java rows in and out, the same values
            float[][] javaRows = served.outputRows(x.dup('c').data().asFloat(), x.shape(), rows);
            float[][] want2 = got.toFloatMatrix();
            for (int i = 0; i < rows.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(want2[i], javaRows[i], "outputRows row " + i);
            }
        }
        assertTrue(served.factors().counts()[0] > 0, "factors were reused");
        return want;
    }

    @Test
    void denseNetworkFloatFourBitFiles() throws Exception {
        check(transfer(NolaTransfer.of(denseBase(DataType.FLOAT))).build(), new long[] {6}, 4, 1e-6);
    }

    @Test
    void denseNetworkDouble() throws Exception {
        check(transfer(NolaTransfer.of(denseBase(DataType.DOUBLE))).build(), new long[] {6}, 0, 1e-12);
    }

    @Test
    void convNetworkWithTrainableBatchNormFloat() throws Exception {
        check(transfer(NolaTransfer.of(convBase(DataType.FLOAT))).trainable("bn1").build(), new long[] {1, 10, 10},
                0, 1e-6);
    }

    @Test
    void convNetworkDouble() throws Exception {
        check(transfer(NolaTransfer.of(convBase(DataType.DOUBLE))).trainable("bn1").build(), new long[] {1, 10, 10},
                4, 1e-12);
    }

    /**
     * conv1 (nOut 4 = 2 groups · rank 2) and conv2 run the fused convolution [W | A_1 A_2] with the row mask, and,
     * with every row on one adapter, without it.
     */
    @Test
    void convNetworkFusedConvolutionsDouble() throws Exception {
        TransferResult<?> r = transfer(NolaTransfer.of(convBase(DataType.DOUBLE))).trainable("bn1").build();
        check(r, new long[] {1, 10, 10}, 0, 1e-12, List.of("task0", BASE, "task1", "task0", BASE, "task1"));
        check(r, new long[] {1, 10, 10}, 0, 1e-12, java.util.Collections.nCopies(5, "task1"));
    }

    /**
     * conv1 and conv3 (3x3, nOut 8 ≥ 3 groups · rank 2) run the fused convolution [W | A_1 A_2 A_3] and conv2 (1x1,
     * nOut 6) the stacked one, then each row adds its own group's s·B term only, in both layouts: groups of one row,
     * a group of two rows, base rows between them.
     */
    @ParameterizedTest
    @CsvSource({"NCHW, DOUBLE, 1e-12", "NHWC, DOUBLE, 1e-12", "NCHW, FLOAT, 1e-6", "NHWC, FLOAT, 1e-6"})
    void everyRowAddsItsOwnGroupsTermInBothLayouts(CNN2DFormat format, DataType dt, double tolerance) throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).dataType(dt)
                .convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(8).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(1, 1).name("conv2").nOut(6).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(2, 2).name("pool").stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv3").nOut(8).stride(2, 1)
                        .activation(Activation.TANH).convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        TransferResult<?> r = transfer(NolaTransfer.of(net)).activationDataFormat(format).build();
        List<String> rows = List.of("task1", BASE, "task0", "task2", BASE, "task0");
        INDArray want = check(r, new long[] {2, 12, 12}, 0, tolerance, rows);
        assertNotEquals(want.getRow(0), want.getRow(2), "the tasks differ, so a row given another's term fails");
        assertNotEquals(want.getRow(2), want.getRow(3));
        assertNotEquals(want.getRow(1), want.getRow(2));
        // all rows on one adapter: one group of six rows on the same paths
        check(r, new long[] {2, 12, 12}, 0, tolerance, java.util.Collections.nCopies(6, "task2"));
    }

    /** The NHWC transfer's convolutions (activationDataFormat(NHWC)) serve on the per-group and fused paths. */
    @Test
    void nhwcConvNetworkDouble() throws Exception {
        check(transfer(NolaTransfer.of(convBase(DataType.DOUBLE))).activationDataFormat(
                org.deeplearning4j.nn.conf.CNN2DFormat.NHWC).trainable("bn1").build(), new long[] {1, 10, 10}, 0, 1e-12);
    }

    @Test
    void graphFloat() throws Exception {
        check(transfer(NolaTransfer.of(graphBase(DataType.FLOAT))).build(), new long[] {2, 8, 8}, 0, 1e-6);
    }

    @Test
    void unknownAndForeignAdaptersAreRefusedAndNothingRuns() throws Exception {
        TransferResult<MultiLayerNetwork> r = transfer(NolaTransfer.of(denseBase(DataType.FLOAT))).build();
        Map<String, Adapter> adapters = ServingFixtures.write(r, dir, 1, 3, 0);
        MixedAdapterNetwork served = MixedAdapterNetwork.of(r.network(), 1L << 20);
        served.adapters().add("task0", adapters.get("task0"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6);
        UnknownAdapterException e = assertThrows(UnknownAdapterException.class,
                () -> served.output(x, List.of("task0", "shoes")));
        assertEquals(List.of("task0"), e.known());
        assertTrue(e.getMessage().contains("\"shoes\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> served.output(x, List.of("task0")));
        assertThrows(IllegalArgumentException.class, () -> served.adapters().add(BASE, adapters.get("task0")));

        // an adapter of another base (other frozen W) is refused with the adapter files' typed error
        TransferResult<MultiLayerNetwork> other = transfer(NolaTransfer.of(denseBase(DataType.FLOAT))).build();
        other.network().getLayer("fc1").getParam("W").addi(0.01);
        Adapter foreign = ServingFixtures.write(other, dir.resolve("other").toFile().mkdirs() ? dir.resolve("other")
                : dir, 1, 3, 0).get("task0");
        assertThrows(AdapterMismatchException.class, () -> served.adapters().add("foreign", foreign));
        assertEquals(List.of("task0"), served.adapters().names());
        assertTrue(served.adapters().remove("task0"));
        assertThrows(UnknownAdapterException.class, () -> served.output(x, List.of("task0", BASE)));
    }
}
