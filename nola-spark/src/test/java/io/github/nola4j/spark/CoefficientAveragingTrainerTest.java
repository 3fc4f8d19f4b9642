package io.github.nola4j.spark;

import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The NOLA-aware scheme on Spark local[2]: frozen weights, what trains, accuracy, bytes. */
class CoefficientAveragingTrainerTest extends LocalSparkTest {

    private static final int STEPS = 120;
    private static final int STEPS_PER_ROUND = 5;

    @Test
    void trainsCoefficientsAndHeadLikeOneMachineWithFrozenWeightsBitIdenticalEverywhere() {
        MultiLayerNetwork start = Fixtures.transfer(Fixtures.pretrainedMlp());
        DataSet train = Fixtures.targetTrain();
        DataSet test = Fixtures.targetTest();
        double before = Fixtures.accuracy(start, test);

        MultiLayerNetwork single = Fixtures.copy(start);
        for (DataSet batch : Fixtures.minibatches(train, STEPS, 1)) {
            single.fit(batch);
        }
        double singleAccuracy = Fixtures.accuracy(single, test);

        MultiLayerNetwork net = Fixtures.copy(start);
        TrainableParameters params = TrainableParameters.of(net);
        String frozen = params.frozenFingerprint();
        INDArray initial = params.values();
        // the same number of steps per worker as one machine takes, on half the data each
        JavaRDD<DataSet> batches = sc.parallelize(Fixtures.minibatches(train, 8, 1), 2);
        try (CoefficientAveragingTrainer trainer = new CoefficientAveragingTrainer(sc, net, 2, STEPS_PER_ROUND)) {
            double[] scores = trainer.fit(batches, STEPS / STEPS_PER_ROUND);
            assertTrue(scores[scores.length - 1] < scores[0], "score " + scores[0] + " -> "
                    + scores[scores.length - 1]);
            List<String> workers = trainer.workerFrozenFingerprints();
            assertEquals(2, workers.size());
            workers.forEach(w -> assertEquals(frozen, w, "frozen weights of a worker replica"));
        }
        assertEquals(frozen, params.frozenFingerprint(), "frozen weights of the driver's network");
        assertCoefficientsAndHeadMoved(net, start);
        assertFalse(params.values().equals(initial));
        double sparkAccuracy = Fixtures.accuracy(net, test);
        assertTrue(sparkAccuracy > before + 0.2, "accuracy " + before + " -> " + sparkAccuracy);
        assertEquals(singleAccuracy, sparkAccuracy, 0.03, "local[2] against one machine");
    }

    @Test
    void trainsAComputationGraphAndShipsOnlyTheTrainableValues() {
        ComputationGraph net = Fixtures.transfer(Fixtures.mlpGraph());
        TrainableParameters params = TrainableParameters.of(net);
        String frozen = params.frozenFingerprint();
        INDArray headBefore = net.getLayer("out").getParam("W").dup();
        JavaRDD<DataSet> batches = sc.parallelize(Fixtures.minibatches(Fixtures.targetTrain(), 8, 2), 2);
        try (CoefficientAveragingTrainer trainer = new CoefficientAveragingTrainer(sc, net, 2, 2)) {
            trainer.fit(batches, 3);
            trainer.workerFrozenFingerprints().forEach(w -> assertEquals(frozen, w));
            assertTrue(trainer.baseBroadcastBytes() > 4 * params.frozenLength(), "the base is broadcast once");
        }
        assertEquals(frozen, params.frozenFingerprint());
        assertNotEquals(headBefore, net.getLayer("out").getParam("W"));
        assertNotEquals(0.0, net.getLayer("dense2").getParam("beta").amaxNumber().doubleValue());

        WireBytes nola = WireBytes.coefficientAveraging(net, WireBytes.sparkSerializer());
        assertEquals(params.length(), nola.values());
        assertEquals(4, nola.bytesPerValue());
        // a fixed framing of under 100 bytes per message (class name, counts, score)
        assertTrue(nola.upBytes() <= nola.valueBytes() + 100, nola.toString());
        assertTrue(nola.downBytes() <= nola.valueBytes() + 100, nola.toString());
        ComputationGraph wide = NolaTransfer.of(Fixtures.mlpGraph()).targetKinds(LayerKind.DENSE).numBases(256, 256)
                .replaceHead(Fixtures.TARGET_CLASSES).build().network();
        WireBytes wideBytes = WireBytes.coefficientAveraging(wide, WireBytes.sparkSerializer());
        assertEquals(2 * 512 + 132, wideBytes.values());
        assertTrue(wideBytes.upOverhead() <= 1.1, wideBytes.toString());
        WireBytes dl4j = WireBytes.parameterAveraging(net, false, WireBytes.sparkSerializer());
        assertEquals(net.numParams(), dl4j.values());
        assertTrue(dl4j.upBytes() >= 4 * net.numParams(), dl4j.toString());
    }

    @Test
    void rejectsAFrozenNetworkAndBadSettings() {
        MultiLayerNetwork net = Fixtures.transfer(Fixtures.pretrainedMlp());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CoefficientAveragingTrainer(sc, net, 0, 5));
        assertTrue(e.getMessage().contains("workers = 0 must be > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CoefficientAveragingTrainer(sc, net, 2, -1));
        assertTrue(e.getMessage().contains("stepsPerRound = -1 must be > 0"), e.getMessage());
    }

    /** β of every NOLA layer left 0, α moved, and the head moved. */
    static void assertCoefficientsAndHeadMoved(MultiLayerNetwork trained, MultiLayerNetwork start) {
        for (String layer : List.of("dense1", "dense2")) {
            assertNotEquals(0.0, trained.getLayer(layer).getParam("beta").amaxNumber().doubleValue(), layer + " β");
            assertNotEquals(start.getLayer(layer).getParam("alpha"), trained.getLayer(layer).getParam("alpha"),
                    layer + " α");
        }
        assertNotEquals(start.getLayer("out").getParam("W"), trained.getLayer("out").getParam("W"), "head");
    }
}
