package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.zoo.model.VGG16;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's own VGG16 transfer-learning examples (deeplearning4j-examples, {@code advanced/features/transferlearning})
 * written with NolaTransfer, on zoo VGG16 at 3x32x32 ({@code init()}: the examples' {@code initPretrained()}
 * downloads weights). The examples name Keras layers ({@code fc2}, {@code block5_pool}, {@code block4_pool});
 * {@code init()} names layers by index, so the test finds the same layers by type and position.
 * <ul>
 *   <li>EditLastLayerOthersFrozen: {@code setFeatureExtractor("fc2")}, a new 5-class head: head only;</li>
 *   <li>EditAtBottleneckOthersFrozen: {@code setFeatureExtractor("block5_pool")}: NOLA on fc1 and fc2
 *       (where the example re-sizes them) and a new head;</li>
 *   <li>FineTuneFromBlockFour: {@code setFeatureExtractor("block4_pool")}: NOLA on block 5 and the dense
 *       layers, the head kept.</li>
 * </ul>
 * Each builds, evaluates, takes two Nesterovs steps (the examples' updater) with every frozen parameter
 * bit-identical and the lowest trained layer's parameters moved, and evaluates again. The VGG16 cases take
 * tens of seconds each, so they run with the zoo sweep ({@code mvn -Pzoo test}).
 */
class Dl4jTransferExamplesTest {

    private static final int CLASSES = 5;
    private static ComputationGraph vgg16;
    private static DataSet batch;

    /** Zoo VGG16 and a batch for it, built once, by the first VGG16 case that runs. */
    private static void base() {
        if (vgg16 == null) {
            vgg16 = VGG16.builder().numClasses(CLASSES).inputShape(new int[] {3, 32, 32}).build().init();
            INDArray x = ZooChecks.input(DataType.FLOAT, 8, 3, 32, 32);
            batch = new DataSet(x, ZooChecks.labels(vgg16, x, CLASSES));
        }
    }

    /** @return the names of the layers of this type, in the graph's topological order */
    private static List<String> layersOfType(Class<?> type) {
        base();
        List<String> names = new ArrayList<>();
        for (int i : vgg16.topologicalSortOrder()) {
            var vertex = vgg16.getVertices()[i];
            if (vertex.hasLayer() && type.isInstance(vertex.getLayer().conf().getLayer())) {
                names.add(vertex.getVertexName());
            }
        }
        return names;
    }

    private static NolaTransfer<ComputationGraph> transfer() {
        base();
        return NolaTransfer.of(vgg16).rank(4).numBases(64, 64).fineTuneConfiguration(
                new FineTuneConfiguration.Builder().updater(new Nesterovs(5e-3)).seed(12345).build());
    }

    private static void trainAndEvaluate(String name, TransferResult<ComputationGraph> r) {
        Map<String, INDArray> base = Fixtures.snapshot(Fixtures.layersOf(vgg16));
        Evaluation before = r.computationGraph().evaluate(new ListDataSetIterator<>(batch.asList(), 8));
        List<String> moved = ZooChecks.assertTwoStepsTrainOnlyTheAdapters(name, r, batch);
        Evaluation after = r.computationGraph().evaluate(new ListDataSetIterator<>(batch.asList(), 8));
        assertEquals(8, before.getNumRowCounter(), name);
        assertEquals(8, after.getNumRowCounter(), name);
        assertTrue(!moved.isEmpty(), name);
        Fixtures.assertBitIdentical(base, Fixtures.snapshot(Fixtures.layersOf(vgg16)), name + ": the base");
    }

    @Tag("zoo")
    @Test
    void editLastLayerOthersFrozen() {
        List<String> dense = layersOfType(DenseLayer.class);
        String fc2 = dense.get(dense.size() - 1);
        TransferResult<ComputationGraph> r = transfer().frozenUpTo(fc2).replaceHead(CLASSES).build();
        assertEquals(List.of(), r.adaptedLayers());
        assertEquals(4096L * CLASSES + CLASSES, r.summary().headParams());
        trainAndEvaluate("EditLastLayerOthersFrozen", r);
    }

    @Tag("zoo")
    @Test
    void editAtBottleneckOthersFrozen() {
        List<String> pools = layersOfType(SubsamplingLayer.class);
        TransferResult<ComputationGraph> r = transfer().frozenUpTo(pools.get(pools.size() - 1))
                .replaceHead(CLASSES).build();
        assertEquals(layersOfType(DenseLayer.class), r.adaptedLayers());
        trainAndEvaluate("EditAtBottleneckOthersFrozen", r);
    }

    @Tag("zoo")
    @Test
    void fineTuneFromBlockFour() {
        List<String> pools = layersOfType(SubsamplingLayer.class);
        TransferResult<ComputationGraph> r = transfer().frozenUpTo(pools.get(3)).build();
        assertEquals(5, r.adaptedLayers().size(), "block 5's three convolutions and the two dense layers: "
                + r.adaptedLayers());
        trainAndEvaluate("FineTuneFromBlockFour", r);
    }

    /**
     * A kept, frozen output layer still evaluates: DL4J's ComputationGraph.evaluate needs its output layer to
     * be an IOutputLayer (it failed with "Cannot evaluate network with no output layer" for FineTuneFromBlockFour).
     */
    @Test
    void keptFrozenOutputLayerEvaluates() {
        DataSet d = Fixtures.data(DataType.FLOAT, 8, new long[] {1, 10, 10}, Fixtures.CLASSES, 5);
        TransferResult<ComputationGraph> graph = NolaTransfer.of(Fixtures.smallCnnGraph(DataType.FLOAT))
                .targetKinds(LayerKind.DENSE).build();
        TransferResult<MultiLayerNetwork> net = NolaTransfer.of(Fixtures.smallCnn(DataType.FLOAT))
                .targetKinds(LayerKind.DENSE).build();
        ZooChecks.assertTwoStepsTrainOnlyTheAdapters("graph, own head", graph, d);
        ZooChecks.assertTwoStepsTrainOnlyTheAdapters("network, own head", net, d);
        assertEquals(8, graph.computationGraph().evaluate(new ListDataSetIterator<>(d.asList(), 4)).getNumRowCounter());
        assertEquals(8, net.multiLayerNetwork().evaluate(new ListDataSetIterator<>(d.asList(), 4)).getNumRowCounter());
    }
}
