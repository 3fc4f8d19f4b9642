package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.network.BatchNormStatistics;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.nola4j.layers.serving.MixedAdapterNetwork.BASE;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mixed-adapter batches on a ResNet-like graph whose frozen layers run on the libnd4j frozen runtimes, as a
 * NolaTransfer of zoo ResNet50 does: a stem convolution, BatchNorm and ReLU below the first adapted layer
 * ({@link FrozenForwardRuntime}), BatchNorm with running statistics folded into a scale and shift and a dense
 * layer between adapted ones ({@link FrozenInferenceRuntime}), strided and Same-mode adapted convolutions, a
 * residual sum and a new head. Every row equals what its adapter alone gives through an AdapterBank (double
 * 1e-12, float 1e-6), so the replicas run the same frozen code as the network they copy.
 */
class MixedFrozenRuntimesTest {

    private static final List<String> ROWS = List.of("task1", BASE, "task0", "task2", "task1", "task0");

    @TempDir
    Path dir;

    static ComputationGraph resnetLike(DataType dt) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(13).dataType(dt)
                .convolutionMode(ConvolutionMode.Truncate).graphBuilder().addInputs("in")
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(4)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("stem_bn", new BatchNormalization.Builder().build(), "stem")
                .addLayer("stem_act", new ActivationLayer(Activation.RELU), "stem_bn")
                .addLayer("a", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.IDENTITY).build(),
                        "stem_act")
                .addLayer("a_bn", new BatchNormalization.Builder().build(), "a")
                .addLayer("a_act", new ActivationLayer(Activation.RELU), "a_bn")
                .addLayer("b", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "a_act")
                .addLayer("b_bn", new BatchNormalization.Builder().build(), "b")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b_bn", "stem_act")
                .addLayer("c", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(6).activation(Activation.RELU)
                        .build(), "sum")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c")
                .addLayer("fc", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(9, 9, 2)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Nd4j.getRandom().setSeed(3);
        for (Layer layer : graph.getLayers()) {   // running statistics far from 0 and 1, so folding them matters
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                long c = layer.getParam("mean").length();
                BatchNormStatistics.set(layer, Nd4j.randn(dt, 1, c).muli(0.5),
                        Nd4j.rand(dt, 1, c).muli(2).addi(0.2));
            }
        }
        return graph;
    }

    private void check(DataType dt, double tolerance) throws Exception {
        TransferResult<ComputationGraph> r = NolaTransfer.of(resnetLike(dt)).targetNames("a", "b", "c").rank(2)
                .numBases(5, 7).basisSeed(11).scale(0.5).replaceHead(4).build();
        ComputationGraph net = r.network();
        for (String name : List.of("stem", "stem_bn", "stem_act")) {
            assertTrue(net.getLayer(name) instanceof FrozenForwardRuntime f && f.runsOnLibnd4j(),
                    name + " runs on FrozenForwardRuntime's libnd4j computation");
        }
        for (String name : List.of("a_bn", "b_bn", "fc")) {
            assertTrue(net.getLayer(name) instanceof FrozenInferenceRuntime f && f.runsOnLibnd4j(),
                    name + " runs on FrozenInferenceRuntime's libnd4j computation");
        }
        Map<String, Adapter> adapters = new LinkedHashMap<>();
        for (String name : ServingFixtures.write(r, dir, 3, 31, 0).keySet()) {
            adapters.put(name, AdapterFiles.read(dir.resolve(name + ".nola")));
        }
        ComputationGraph copy = net.clone();
        MixedAdapterNetwork served = MixedAdapterNetwork.of(net, 1L << 20);
        adapters.forEach(served.adapters()::add);
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.rand(dt, ROWS.size(), 2, 9, 9);
        INDArray got = served.output(x, ROWS);
        INDArray want = ServingFixtures.expected(copy, r.settings().savedLayers(), adapters, x, ROWS);
        ServingFixtures.assertRowsClose(want, got, tolerance, "mixed batch over frozen runtimes");
        assertNotEquals(want.getRow(0), want.getRow(2), "the tasks differ, so the comparison can fail");
        assertNotEquals(want.getRow(0), want.getRow(1), "a task differs from the base");
    }

    @Test
    void doubleWithinOneInATrillion() throws Exception {
        check(DataType.DOUBLE, 1e-12);
    }

    @Test
    void floatWithinOneInAMillion() throws Exception {
        check(DataType.FLOAT, 1e-6);
    }
}
