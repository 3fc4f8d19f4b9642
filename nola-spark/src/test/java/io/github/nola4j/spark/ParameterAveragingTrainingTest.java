package io.github.nola4j.spark;

import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DL4J's own Spark training (dl4j-spark_2.12 1.0.0-M2 on DL4J 1.0.0-M2.1) with a
 * ParameterAveragingTrainingMaster, on NOLA networks, in local[2].
 */
class ParameterAveragingTrainingTest extends LocalSparkTest {

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
    void convolutionLayerConfigurationsSurviveDl4jsJavaSerialisedBroadcast() {
        // DL4J broadcasts the configuration objects themselves: every field of a NOLA layer must be Serializable
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build();
        MultiLayerNetwork base = new MultiLayerNetwork(conf);
        base.init();
        MultiLayerNetwork net = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION).rank(2).numBases(4, 4)
                .replaceHead(3).fineTuneConfiguration(Fixtures.fineTune()).build().network();
        String frozen = TrainableParameters.of(net).frozenFingerprint();
        Nd4j.getRandom().setSeed(12);
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
            for (int r = 0; r < 8; r++) {
                y.putScalar(r, r % 3, 1.0);
            }
            batches.add(new DataSet(Nd4j.rand(DataType.FLOAT, 8, 1, 6, 6), y));
        }
        MultiLayerNetwork trained = (MultiLayerNetwork) ParameterAveragingTraining.fit(sc, net,
                ParameterAveragingTraining.master(2, 8, 2), sc.parallelize(batches, 2), 1);
        assertEquals(frozen, TrainableParameters.of(trained).frozenFingerprint());
        assertNotEquals(0.0, trained.getLayer("conv").getParam("beta").amaxNumber().doubleValue());
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
