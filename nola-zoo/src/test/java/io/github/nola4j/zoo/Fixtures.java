package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
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
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small networks and data for the tests, and parameter snapshots. */
final class Fixtures {

    static final int CLASSES = 3;

    private Fixtures() {
    }

    /** conv1 → bn1 → pool → conv2 → fc (dropout) → out, on 1x10x10 input, with l2. */
    static MultiLayerNetwork smallCnn(DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(dataType)
                .updater(new Adam(1e-2)).l2(1e-3).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().name("bn1").build())
                .layer(new SubsamplingLayer.Builder(2, 2).name("pool").stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(6).activation(Activation.TANH)
                        .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(8).activation(Activation.RELU).dropOut(0.8).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(10, 10, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // pretrained-looking BatchNorm state, so that frozen statistics matter
        net.getLayer("bn1").getParam("mean").assign(Nd4j.linspace(dataType, 0.1, (0.4 - 0.1) / 3, 4).reshape(1, 4));
        net.getLayer("bn1").getParam("log10stdev").assign(Nd4j.linspace(dataType, -0.3, 0.1, 4).reshape(1, 4));
        net.getLayer("bn1").getParam("gamma").assign(Nd4j.linspace(dataType, 0.8, (1.4 - 0.8) / 3, 4).reshape(1, 4));
        return net;
    }

    /** The same network as a ComputationGraph. */
    static ComputationGraph smallCnnGraph(DataType dataType) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(dataType)
                .updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "bn1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.TANH).build(), "pool")
                .addLayer("fc", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "conv2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(10, 10, 1)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    static DataSet data(DataType dataType, int n, long[] inputShape, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape = new long[inputShape.length + 1];
        shape[0] = n;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        INDArray x = Nd4j.rand(dataType, shape);
        INDArray y = Nd4j.zeros(dataType, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1.0);
        }
        return new DataSet(x, y);
    }

    /** @return a deep copy of every parameter, by "layerName/key" */
    static Map<String, INDArray> snapshot(org.deeplearning4j.nn.api.Layer[] layers) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.api.Layer l : layers) {
            String name = l.conf().getLayer().getLayerName();
            l.paramTable().forEach((k, v) -> out.put(name + "/" + k, v.dup()));
        }
        return out;
    }

    static org.deeplearning4j.nn.api.Layer[] layersOf(Model m) {
        return m instanceof MultiLayerNetwork mln ? mln.getLayers() : ((ComputationGraph) m).getLayers();
    }

    /** Asserts that the parameters are bit-identical to the snapshot. */
    static void assertBitIdentical(Map<String, INDArray> before, Map<String, INDArray> after, String what) {
        assertEquals(before.keySet(), after.keySet(), what + ": parameter keys");
        before.forEach((k, v) -> assertTrue(bitIdentical(v, after.get(k)), what + ": " + k + " changed"));
    }

    /** @return true when a and b have the same shape, type and bytes (views compared by their own elements) */
    static boolean bitIdentical(INDArray a, INDArray b) {
        if (a.dataType() != b.dataType() || !java.util.Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        INDArray x = a.dup();
        INDArray y = b.dup();
        try {
            return x.data().asNio().equals(y.data().asNio());
        } finally {
            // the NIO views do not keep the copies alive: without this, the collector could free their native
            // memory while equals reads it (the JVM crashed here in the sweep, in a 20 M-parameter comparison)
            java.lang.ref.Reference.reachabilityFence(x);
            java.lang.ref.Reference.reachabilityFence(y);
        }
    }
}
