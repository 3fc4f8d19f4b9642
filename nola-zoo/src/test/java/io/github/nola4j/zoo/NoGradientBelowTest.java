package io.github.nola4j.zoo;

import io.github.nola4j.layers.InputGradients;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Frozen layers before the first trainable layer (in DL4J's forward order) are FrozenForwardLayer
 * (DL4J's FrozenLayer, parameterless ones too), where DL4J's backward pass stops; frozen layers above it pass gradients down (FrozenInferenceLayer).
 * Training gives bit-identically the parameters of the same network with every frozen layer
 * passing gradients (full backprop), in double precision.
 */
class NoGradientBelowTest {

    private static final DataSet DATA = Fixtures.data(DataType.DOUBLE, 6, new long[] {1, 10, 10}, Fixtures.CLASSES, 9);

    @Test
    void multiLayerNetworkStopsBackpropBelowTheLowestAdapterAndTrainsTheSame() {
        MultiLayerNetwork net = NolaTransfer.of(Fixtures.smallCnn(DataType.DOUBLE)).targetNames("conv2").rank(2)
                .numBases(8, 8).build().network();
        assertWrappers(net.getLayerWiseConfigurations().getConfs().stream().map(NeuralNetConfiguration::getLayer)
                .toList(), List.of("conv1", "bn1"), List.of("fc", "out"));
        MultiLayerConfiguration fullConf = net.getLayerWiseConfigurations().clone();
        fullConf.getConfs().forEach(NoGradientBelowTest::passGradients);
        MultiLayerNetwork full = new MultiLayerNetwork(fullConf);
        full.init(net.params().dup(), false);
        InputGradients.skipUnused(full); // the same training paths as the transfer's network
        assertTrainsLikeFullBackprop(net, full);
    }

    @Test
    void headOnlyTransferFreezesEveryLayerBelowTheHeadWithoutBackprop() {
        MultiLayerNetwork net = NolaTransfer.of(Fixtures.smallCnn(DataType.DOUBLE)).replaceHead(4).build().network();
        List<Layer> confs = net.getLayerWiseConfigurations().getConfs().stream().map(NeuralNetConfiguration::getLayer)
                .toList();
        assertWrappers(confs, List.of("conv1", "bn1", "conv2", "fc"), List.of());
    }

    /** in → conv0 → bn0 → {convA, convB} → add → pool → out; NOLA on convA only. */
    @Test
    void computationGraphStopsBackpropBeforeTheFirstTrainableVertexAndTrainsTheSame() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("conv0", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("bn0", new BatchNormalization.Builder().build(), "conv0")
                .addLayer("convB", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.TANH).build(), "bn0")
                .addLayer("convA", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(), "bn0")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "convA", "convB")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "add")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(Fixtures.CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(10, 10, 1)).build();
        ComputationGraph base = new ComputationGraph(conf);
        base.init();
        ComputationGraph net = NolaTransfer.of(base).targetNames("convA").rank(2).numBases(8, 8).build().network();
        List<String> order = new java.util.ArrayList<>();
        for (int i : net.topologicalSortOrder()) {
            order.add(net.getVertices()[i].getVertexName());
        }
        assertTrue(order.indexOf("convB") < order.indexOf("convA"), "fixture: convB comes first in " + order);
        assertWrappers(net.getConfiguration().getVertices().values().stream().filter(LayerVertex.class::isInstance)
                        .map(v -> ((LayerVertex) v).getLayerConf().getLayer()).toList(),
                List.of("conv0", "bn0", "convB"), List.of("out"));
        ComputationGraphConfiguration fullConf = net.getConfiguration().clone();
        fullConf.getVertices().values().stream().filter(LayerVertex.class::isInstance)
                .forEach(v -> passGradients(((LayerVertex) v).getLayerConf()));
        ComputationGraph full = new ComputationGraph(fullConf);
        full.init(net.params().dup(), false);
        InputGradients.skipUnused(full); // the same training paths as the transfer's network
        assertTrainsLikeFullBackprop(net, full);
    }

    /**
     * in → conv0 → pool0 → {convA, convB} → merge → convC → pool → out; NOLA on convC only, so a
     * subsampling layer, two frozen convolutions and a merge vertex lie below the only adapter. DL4J's graph
     * backward skips only FrozenLayer and FrozenVertex vertices, so each of them must be one (as in
     * VGG16 with its dense layers adapted: before, fit failed with "all epsilons not set" at the pooling
     * layer under the first FrozenLayer).
     */
    @Test
    void parameterlessLayersAndVerticesBelowTheFirstTrainableLayerAreSkippedToo() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("conv0", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("pool0", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "conv0")
                .addLayer("convA", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build(), "pool0")
                .addLayer("convB", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.TANH).build(), "pool0")
                .addVertex("merge", new MergeVertex(), "convA", "convB")
                .addLayer("convC", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(), "merge")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "convC")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(Fixtures.CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(10, 10, 1)).build();
        ComputationGraph base = new ComputationGraph(conf);
        base.init();
        ComputationGraph net = NolaTransfer.of(base).targetNames("convC").rank(2).numBases(8, 8).build().network();
        assertWrappers(net.getConfiguration().getVertices().values().stream().filter(LayerVertex.class::isInstance)
                        .map(v -> ((LayerVertex) v).getLayerConf().getLayer()).toList(),
                List.of("conv0", "pool0", "convA", "convB"), List.of("out"));
        assertInstanceOf(FrozenVertex.class, net.getConfiguration().getVertices().get("merge"));
        ComputationGraphConfiguration fullConf = net.getConfiguration().clone();
        fullConf.getVertices().replaceAll((name, v) -> v instanceof FrozenVertex f ? f.getUnderlying() : v);
        fullConf.getVertices().values().stream().filter(LayerVertex.class::isInstance)
                .forEach(v -> passGradients(((LayerVertex) v).getLayerConf()));
        ComputationGraph full = new ComputationGraph(fullConf);
        full.init(net.params().dup(), false);
        InputGradients.skipUnused(full);
        assertTrainsLikeFullBackprop(net, full);
    }

    /** Replaces DL4J's FrozenLayer by FrozenInferenceLayer around the same layer (by the bare layer without parameters). */
    private static void passGradients(NeuralNetConfiguration nnc) {
        if (nnc.getLayer() instanceof FrozenLayer f) {
            nnc.setLayer(f.getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer
                    ? new FrozenInferenceLayer(f.getLayer()) : f.getLayer());
        }
    }

    private static void assertWrappers(List<Layer> confs, List<String> noBackprop, List<String> backprop) {
        for (Layer l : confs) {
            String name = l.getLayerName();
            if (noBackprop.contains(name)) {
                assertEquals(FrozenForwardLayer.class, l.getClass(), name + " should stop DL4J's backward pass (a FrozenLayer)");
            } else if (backprop.contains(name)) {
                assertEquals(FrozenInferenceLayer.class, l.getClass(), name + " should pass gradients");
            } else {
                assertFalse(l instanceof FrozenLayer, name + " trains and must not be a FrozenLayer");
            }
        }
    }

    /** Two fit steps of each: the parameters move, and end bit-identical. */
    private static void assertTrainsLikeFullBackprop(NeuralNetwork net, NeuralNetwork full) {
        INDArray before = net.params().dup();
        for (int step = 0; step < 2; step++) {
            net.fit(DATA);
            full.fit(DATA);
        }
        assertNotEquals(before, net.params(), "nothing trained");
        assertTrue(Fixtures.bitIdentical(full.params(), net.params()),
                "parameters differ from full backprop by " + net.params().sub(full.params()).amaxNumber());
    }
}
