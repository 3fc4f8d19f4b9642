package io.github.nola4j.spark;

import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A small transfer task (Gaussian blobs), base networks, NOLA transfers and a local Spark context. */
final class Fixtures {

    static final int FEATURES = 12;
    static final int SOURCE_CLASSES = 3;
    static final int TARGET_CLASSES = 4;
    static final int BATCH = 25;

    private Fixtures() {
    }

    /** @return a local[2] Spark context without UI */
    static JavaSparkContext localSpark() {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("nola-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "localhost")
                .set("spark.driver.bindAddress", "127.0.0.1");
        return new JavaSparkContext(conf);
    }

    /**
     * @return n examples of {@code classes} Gaussian blobs in {@link #FEATURES} dimensions: centres
     * uniform in [-1, 1] from {@code taskSeed}, noise N(0, σ²) from {@code sampleSeed}
     */
    static DataSet blobs(int n, int classes, double sigma, long taskSeed, long sampleSeed) {
        SplittableRandom task = new SplittableRandom(taskSeed);
        double[][] centres = new double[classes][FEATURES];
        for (double[] c : centres) {
            for (int j = 0; j < FEATURES; j++) {
                c[j] = 2 * task.nextDouble() - 1;
            }
        }
        SplittableRandom sample = new SplittableRandom(sampleSeed);
        float[][] x = new float[n][FEATURES];
        float[][] y = new float[n][classes];
        for (int i = 0; i < n; i++) {
            int label = i % classes;
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = (float) (centres[label][j] + sigma * gaussian(sample));
            }
            y[i][label] = 1;
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** @return the minibatches of {@code steps} steps over {@code data}, reshuffled (seeded) every pass */
    static List<DataSet> minibatches(DataSet data, int steps, long seed) {
        List<DataSet> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        int n = data.numExamples();
        int[] order = new int[n];
        int position = n;
        for (int s = 0; s < steps; s++) {
            if (position + BATCH > n) {
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                position = 0;
            }
            int[] rows = java.util.Arrays.copyOfRange(order, position, position + BATCH);
            position += BATCH;
            out.add(new DataSet(data.getFeatures().getRows(rows), data.getLabels().getRows(rows)));
        }
        return out;
    }

    private static MultiLayerNetwork pretrained;

    /**
     * dense1 (12 → 32, tanh) → bn → dense2 (32 → 32, relu) → out (32 → 3), pretrained on the source
     * blobs; a copy of one network pretrained once per JVM.
     */
    static synchronized MultiLayerNetwork pretrainedMlp() {
        if (pretrained == null) {
            pretrained = pretrainMlp();
        }
        return pretrained.clone();
    }

    private static MultiLayerNetwork pretrainMlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().name("dense1").nOut(32).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new DenseLayer.Builder().name("dense2").nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(SOURCE_CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(FEATURES)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (DataSet batch : minibatches(blobs(300, SOURCE_CLASSES, 0.5, 100, 1), 60, 1)) {
            net.fit(batch);
        }
        return net;
    }

    /** The same layers as a ComputationGraph (not pretrained). */
    static ComputationGraph mlpGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).graphBuilder().addInputs("in")
                .addLayer("dense1", new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build(), "in")
                .addLayer("dense2", new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build(), "dense1")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(SOURCE_CLASSES)
                        .activation(Activation.SOFTMAX).build(), "dense2")
                .setOutputs("out").setInputTypes(InputType.feedForward(FEATURES)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    static FineTuneConfiguration fineTune() {
        return new FineTuneConfiguration.Builder().updater(new Adam(3e-2)).seed(5).build();
    }

    /** NOLA on both dense layers (r 2, k = l = 16), BatchNorm frozen, a new 4-class head. */
    static MultiLayerNetwork transfer(MultiLayerNetwork base) {
        return NolaTransfer.of(base).targetKinds(LayerKind.DENSE).rank(2).numBases(16, 16).basisSeed(9).scale(0.5)
                .replaceHead(TARGET_CLASSES).fineTuneConfiguration(fineTune()).build().network();
    }

    static ComputationGraph transfer(ComputationGraph base) {
        return NolaTransfer.of(base).targetKinds(LayerKind.DENSE).rank(2).numBases(16, 16).basisSeed(9).scale(0.5)
                .replaceHead(TARGET_CLASSES).fineTuneConfiguration(fineTune()).build().network();
    }

    /** Target task: training and test blobs. */
    static DataSet targetTrain() {
        return blobs(200, TARGET_CLASSES, 0.9, 200, 2);
    }

    static DataSet targetTest() {
        return blobs(2000, TARGET_CLASSES, 0.9, 200, 3);
    }

    static double accuracy(MultiLayerNetwork net, DataSet test) {
        Evaluation e = new Evaluation(TARGET_CLASSES);
        e.eval(test.getLabels(), net.output(test.getFeatures(), false));
        return e.accuracy();
    }

    /** @return a deep copy of the network (configuration, parameters and updater state) */
    static MultiLayerNetwork copy(MultiLayerNetwork net) {
        return net.clone();
    }
}
