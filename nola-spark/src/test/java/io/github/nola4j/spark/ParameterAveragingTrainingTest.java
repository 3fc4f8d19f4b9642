package io.github.nola4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DL4J's own Spark training (dl4j-spark_2.12 1.0.0-M2 on DL4J 1.0.0-M2.1) with a
 * ParameterAveragingTrainingMaster, on NOLA networks, in local[2].
 */
class ParameterAveragingTrainingTest {

    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = Fixtures.localSpark();
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @Test
    void sparkDl4jMultiLayerTrainsANolaNetworkWithFrozenWeightsBitIdentical() {
        MultiLayerNetwork start = Fixtures.transfer(Fixtures.pretrainedMlp());
        MultiLayerNetwork net = Fixtures.copy(start);
        String frozen = TrainableParameters.of(net).frozenFingerprint();
        DataSet test = Fixtures.targetTest();
        double before = Fixtures.accuracy(net, test);
        CollectionAccumulator<String> seen = sc.sc().collectionAccumulator("frozen fingerprints");
        // 2 workers x 5 steps per round, 8 rounds: 80 minibatches of 25
        JavaRDD<DataSet> batches = sc.parallelize(Fixtures.minibatches(Fixtures.targetTrain(), 80, 1), 2);
        MultiLayerNetwork trained = (MultiLayerNetwork) ParameterAveragingTraining.fit(sc, net,
                ParameterAveragingTraining.master(2, Fixtures.BATCH, 5, new FrozenFingerprintHook(seen)), batches, 1);

        assertEquals(frozen, TrainableParameters.of(trained).frozenFingerprint(), "driver's frozen weights");
        assertEquals(80, seen.value().size(), "one fingerprint per worker step");
        seen.value().forEach(f -> assertEquals(frozen, f, "frozen weights of a worker"));
        CoefficientAveragingTrainerTest.assertCoefficientsAndHeadMoved(trained, start);
        double after = Fixtures.accuracy(trained, test);
        assertTrue(after > before + 0.2, "accuracy " + before + " -> " + after);
    }

    @Test
    void sparkComputationGraphTrainsANolaGraphWithFrozenWeightsBitIdentical() {
        ComputationGraph net = Fixtures.transfer(Fixtures.mlpGraph());
        String frozen = TrainableParameters.of(net).frozenFingerprint();
        INDArray beta = net.getLayer("dense1").getParam("beta").dup();
        INDArray head = net.getLayer("out").getParam("W").dup();
        JavaRDD<DataSet> batches = sc.parallelize(Fixtures.minibatches(Fixtures.targetTrain(), 16, 2), 2);
        ComputationGraph trained = (ComputationGraph) ParameterAveragingTraining.fit(sc, net,
                ParameterAveragingTraining.master(2, Fixtures.BATCH, 4), batches, 1);
        assertEquals(frozen, TrainableParameters.of(trained).frozenFingerprint());
        assertNotEquals(beta, trained.getLayer("dense1").getParam("beta"));
        assertNotEquals(head, trained.getLayer("out").getParam("W"));
    }
}
