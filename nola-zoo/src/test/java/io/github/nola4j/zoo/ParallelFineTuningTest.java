package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel NOLA fine-tuning with DL4J's ParallelWrapper (2 CPU workers, parameter and updater
 * averaging after every step): it converges like one worker, only coefficients and the head move,
 * and the frozen parameters stay bit-identical in the main model and in every worker.
 */
class ParallelFineTuningTest {

    static final int CLASSES = 4;
    static final int CHANNELS = 3;
    static final int SIZE = 12;
    private static final int TRAIN = 256;
    private static final int TEST = 128;
    private static final int BATCH = 16;
    private static final int EPOCHS = 6;
    private static final int WORKERS = 2;

    @Test
    void twoWorkersConvergeLikeOneAndKeepFrozenParametersBitIdentical() {
        MultiLayerNetwork base = baseCnn();
        List<DataSet> train = templateData(TRAIN, 1).asList();
        DataSet test = templateData(TEST, 2);

        // one worker with batches of WORKERS * BATCH: the same number of steps, each on the same examples
        // as one averaged step of the workers
        long t0 = System.nanoTime();
        TransferResult<MultiLayerNetwork> single = adapt(base);
        double startLoss = single.network().score(test);
        double startAcc = accuracy(single.network(), test);
        for (int e = 0; e < EPOCHS; e++) {
            single.network().fit(new ListDataSetIterator<>(train, WORKERS * BATCH));
        }
        long t1 = System.nanoTime();

        // two workers: ParallelWrapper, same data, same epochs
        TransferResult<MultiLayerNetwork> parallel = adapt(base);
        MultiLayerNetwork net = parallel.network();
        Map<String, INDArray> before = Fixtures.snapshot(net.getLayers());
        assertEquals(startLoss, net.score(test), 1e-6, "both runs start from the same network");
        FrozenParamsProbe probe = new FrozenParamsProbe(net.getLayers(), parallel.headLayer());
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(WORKERS).prefetchBuffer(2)
                .averagingFrequency(1).averageUpdaters(true).trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                .build();
        wrapper.setListeners(probe);
        for (int e = 0; e < EPOCHS; e++) {
            wrapper.fit(new ListDataSetIterator<>(train, BATCH));
        }
        wrapper.shutdown();
        long t2 = System.nanoTime();

        double singleLoss = single.network().score(test);
        double parallelLoss = net.score(test);
        double singleAcc = accuracy(single.network(), test);
        double parallelAcc = accuracy(net, test);
        System.out.printf("fit time: 1 worker %.1f s, %d workers %.1f s%n", (t1 - t0) / 1e9, WORKERS, (t2 - t1) / 1e9);
        System.out.printf("loss start %.4f, 1 worker %.4f, %d workers %.4f; accuracy start %.3f, 1 worker %.3f,"
                + " %d workers %.3f%n", startLoss, singleLoss, WORKERS, parallelLoss, startAcc, singleAcc, WORKERS,
                parallelAcc);

        // converges, and like one worker
        assertTrue(parallelLoss < 0.5 * startLoss, "loss " + startLoss + " -> " + parallelLoss);
        assertTrue(parallelAcc > startAcc + 0.3, "accuracy " + startAcc + " -> " + parallelAcc);
        // averaging two workers' Adam steps is not one step on the averaged gradient; with the official basis
        // scaling (NOLA parametrisation 2) the coefficients move faster and one worker got further: loss
        // 1.58 -> 0.40 (1 worker) and 0.52-0.55 (2 workers, two runs), accuracy 0.96 and 0.92
        assertEquals(singleLoss, parallelLoss, 0.2, "final loss of 1 and " + WORKERS + " workers");
        assertEquals(singleAcc, parallelAcc, 0.1, "final accuracy of 1 and " + WORKERS + " workers");

        // every worker ran, and saw only pristine frozen parameters after each of its steps
        Map<org.deeplearning4j.nn.api.Model, Integer> seen = probe.iterationsByModel();
        // worker 0 trains the main model itself; every other worker a replica made afresh in each fit()
        assertEquals(1 + (WORKERS - 1) * EPOCHS, seen.size(), "models seen: " + seen.values());
        assertEquals(EPOCHS * TRAIN / BATCH / WORKERS, seen.get(net), "steps of worker 0");
        assertEquals(EPOCHS * TRAIN / BATCH, seen.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(List.of(), probe.mismatches(), "frozen parameters changed in a worker");
        assertEquals(List.of(), probe.check(net.getLayers(), "main model after fit"));
        assertTrue(probe.frozenKeys().containsAll(List.of("conv1/W", "conv1/b", "conv2/W", "conv2/b", "fc/W",
                "fc/b")), probe.frozenKeys().toString());

        // what trains did change
        for (Layer l : net.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.conf().getLayer() instanceof NolaLayer) {
                for (String key : List.of(NolaLayer.ALPHA_KEY, NolaLayer.BETA_KEY)) {
                    assertFalse(Fixtures.bitIdentical(before.get(name + "/" + key), l.getParam(key)),
                            name + "/" + key + " did not train");
                }
            }
        }
        assertFalse(Fixtures.bitIdentical(before.get(parallel.headLayer() + "/W"),
                net.getLayer(parallel.headLayer()).getParam("W")), "head did not train");

        // and the probe does notice a change
        net.getLayer("conv2").getParam("W").putScalar(0, net.getLayer("conv2").getParam("W").getDouble(0) + 1e-6);
        assertEquals(List.of("control: conv2/W"), probe.check(net.getLayers(), "control"));
    }

    /**
     * ParallelWrapper averages by summing the workers' flat parameter vectors and dividing by the
     * number of workers. For 2 or 4 workers that returns identical values unchanged; for 3 it rounds
     * (3a)/3 and some frozen values move by an ulp. This test pins that DL4J 1.0.0-M2.1 behaviour: if
     * it starts failing, averaging became exact and the note in the package javadoc can go.
     */
    @Test
    void averagingOverThreeWorkersMovesFrozenParametersByRounding() {
        TransferResult<MultiLayerNetwork> r = adapt(baseCnn());
        MultiLayerNetwork net = r.network();
        Map<String, INDArray> before = Fixtures.snapshot(net.getLayers());
        FrozenParamsProbe probe = new FrozenParamsProbe(net.getLayers(), r.headLayer());
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(3).prefetchBuffer(2)
                .averagingFrequency(1).trainingMode(ParallelWrapper.TrainingMode.AVERAGING).build();
        wrapper.fit(new ListDataSetIterator<>(templateData(3 * BATCH, 1).asList(), BATCH));
        wrapper.shutdown();

        List<String> moved = probe.check(net.getLayers(), "3 workers");
        System.out.println("frozen parameters moved by averaging over 3 workers: " + moved);
        assertFalse(moved.isEmpty(), "averaging over 3 workers kept every frozen value bit-identical");
        Map<String, INDArray> after = Fixtures.snapshot(net.getLayers());
        for (String key : probe.frozenKeys()) {
            double change = after.get(key).sub(before.get(key)).amaxNumber().doubleValue();
            double scale = before.get(key).amaxNumber().doubleValue();
            assertTrue(change <= 4 * Math.ulp((float) scale), key + " moved by " + change + ": more than rounding");
        }
    }

    /** conv1 (frozen) → pool → conv2 (NOLA) → fc (NOLA) → out (replaced head), 3x12x12 input. */
    static MultiLayerNetwork baseCnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(8).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(2, 2).name("pool").stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(8).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, CHANNELS)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static TransferResult<MultiLayerNetwork> adapt(MultiLayerNetwork base) {
        return NolaTransfer.of(base).targetNames("conv2", "fc").rank(4).numBases(32, 32).basisSeed(5).scale(0.25)
                .replaceHead(CLASSES)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(9).updater(new Adam(1e-2)).build())
                .build();
    }

    /** Class c is a fixed random template image plus Gaussian noise of the same scale; seeds are explicit. */
    static DataSet templateData(int n, long noiseSeed) {
        Random templates = new Random(42);
        float[][] template = new float[CLASSES][CHANNELS * SIZE * SIZE];
        for (float[] t : template) {
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) templates.nextGaussian();
            }
        }
        Random noise = new Random(noiseSeed);
        float[] x = new float[n * CHANNELS * SIZE * SIZE];
        float[] y = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            for (int j = 0; j < template[c].length; j++) {
                x[i * template[c].length + j] = template[c][j] + (float) noise.nextGaussian();
            }
            y[i * CLASSES + c] = 1f;
        }
        return new DataSet(Nd4j.create(x, new long[]{n, CHANNELS, SIZE, SIZE}, 'c'),
                Nd4j.create(y, new long[]{n, CLASSES}, 'c'));
    }

    private static double accuracy(MultiLayerNetwork net, DataSet test) {
        Evaluation eval = new Evaluation(CLASSES);
        eval.eval(test.getLabels(), net.output(test.getFeatures(), false));
        return eval.accuracy();
    }
}
