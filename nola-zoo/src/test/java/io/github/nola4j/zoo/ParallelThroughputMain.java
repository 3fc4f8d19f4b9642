package io.github.nola4j.zoo;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput (examples/s) of NOLA fine-tuning with 1 worker (plain fit) and with ParallelWrapper:
 * batch 32 of 64x32x32 inputs, one 3x3 convolution 64→64 (Same, ReLU) adapted with NolaConv2d
 * (r = 4, k = l = 256), global average pooling, softmax head 64→10, Adam. Reports the median over
 * measured epochs after warm-up epochs. A main program, not a test: run with the test classpath,
 * arguments {@code [workers...]} (default 1 2), system properties {@code epochs} (5), {@code warmup}
 * (1) and {@code batches} (12 per epoch).
 */
public final class ParallelThroughputMain {

    private static final int BATCH = 32;
    private static final int CHANNELS = 64;
    private static final int SIZE = 32;
    private static final int CLASSES = 10;

    private ParallelThroughputMain() {
    }

    public static void main(String[] args) {
        int epochs = Integer.getInteger("epochs", 5);
        int warmup = Integer.getInteger("warmup", 1);
        int batches = Integer.getInteger("batches", 12);
        int[] workers = args.length == 0 ? new int[]{1, 2} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        List<DataSet> data = data(batches * BATCH, 1);
        for (int w : workers) {
            double[] perEpoch = new double[epochs];
            MultiLayerNetwork net = adapted();
            ParallelWrapper wrapper = w == 1 ? null : new ParallelWrapper.Builder<>(net).workers(w).prefetchBuffer(2)
                    .averagingFrequency(1).averageUpdaters(true)
                    .trainingMode(ParallelWrapper.TrainingMode.AVERAGING).build();
            for (int e = -warmup; e < epochs; e++) {
                long t0 = System.nanoTime();
                if (wrapper == null) {
                    net.fit(new ListDataSetIterator<>(data, BATCH));
                } else {
                    wrapper.fit(new ListDataSetIterator<>(data, BATCH));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (e >= 0) {
                    perEpoch[e] = data.size() / seconds;
                }
            }
            if (wrapper != null) {
                wrapper.shutdown();
            }
            double[] sorted = perEpoch.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "workers %d: median %.1f examples/s (epochs of %d examples: %s), score %.4f%n",
                    w, sorted[sorted.length / 2], data.size(), Arrays.toString(round(perEpoch)), net.score());
        }
    }

    private static MultiLayerNetwork adapted() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(CHANNELS).activation(Activation.RELU)
                        .build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("gap").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, CHANNELS)).build();
        MultiLayerNetwork base = new MultiLayerNetwork(conf);
        base.init();
        return NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION).rank(4).numBases(256, 256).basisSeed(7)
                .scale(0.25).replaceHead(CLASSES)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .build().network();
    }

    private static List<DataSet> data(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * CHANNELS * SIZE * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] y = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            y[i * CLASSES + i % CLASSES] = 1f;
        }
        return new DataSet(Nd4j.create(x, new long[]{n, CHANNELS, SIZE, SIZE}, 'c'),
                Nd4j.create(y, new long[]{n, CLASSES}, 'c')).asList();
    }

    private static double[] round(double[] v) {
        return Arrays.stream(v).map(d -> Math.round(d * 10) / 10.0).toArray();
    }
}
