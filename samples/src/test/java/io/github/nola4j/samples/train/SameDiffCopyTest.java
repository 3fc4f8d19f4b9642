package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.ZooSimpleCnn;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.LabelledImages;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SameDiff copy computes and trains what the DL4J network does, BatchNorm and average pooling included. */
class SameDiffCopyTest {

    private static final int[] SOURCE = {0, 1, 2, 3, 4};

    /**
     * Zoo SimpleCNN (Same-mode 7x7 to 3x3 convolutions, BatchNorm, average pooling of odd sizes,
     * global pooling): with running statistics set from a batch, DL4J's inference output on that
     * batch is the copy's batch-statistics output.
     */
    @Test
    void simpleCnnOutputMatchesDl4j() {
        LabelledImages data = FashionMnist.loadSubset().train().onlyClasses(SOURCE);
        MultiLayerNetwork net = ZooSimpleCnn.create(5, 7);
        INDArray x = data.features(IntStream.range(0, 64).toArray());
        SameDiffPretrainer.setBatchNormStatistics(net, x);

        SameDiffCopy copy = SameDiffCopy.of(net, false);
        List<String> outputs = copy.layerOutputs(); // the last is the global pooling's: the LossLayer's logits
        INDArray logits = copy.graph().outputSingle(Map.of(SameDiffCopy.INPUT, x), outputs.get(outputs.size() - 1));
        INDArray expected = net.output(x, false);
        INDArray actual = org.nd4j.linalg.ops.transforms.Transforms.softmax(logits, true);
        double difference = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(difference < 1e-4, "DL4J and SameDiff outputs differ by " + difference);
        assertTrue(expected.amaxNumber().doubleValue() < 0.999, "degenerate outputs: " + expected);
    }

    /** A BatchNorm network without dropout: three Adam steps move the same parameters the same way in both. */
    @Test
    void batchNormTrainingMatchesDl4jStepForStep() {
        LabelledImages data = FashionMnist.loadSubset().train().onlyClasses(SOURCE);
        MultiLayerNetwork viaSameDiff = smallBatchNormNet();
        MultiLayerNetwork viaDl4j = viaSameDiff.clone();
        INDArray start = viaSameDiff.params().dup();
        SameDiffPretrainer.fit(viaSameDiff, data, 5, 32, 3, 1e-2, 5, ProgressBar.SILENT);
        Trainer.fit(viaDl4j, data, 5, 32, 3, 5, ProgressBar.SILENT);

        for (int i = 0; i < viaDl4j.getnLayers(); i++) {
            for (var e : viaDl4j.getLayer(i).paramTable().entrySet()) {
                if (e.getKey().equals("mean") || e.getKey().equals("log10stdev")) {
                    continue; // running statistics: DL4J averages them as it trains, the copy sets them afterwards
                }
                if (e.getKey().equals("b") && viaDl4j.getLayer(i + 1).conf().getLayer() instanceof BatchNormalization) {
                    continue; // BatchNorm subtracts it again: its gradient is rounding noise, which Adam scales up
                }
                INDArray other = viaSameDiff.getLayer(i).getParam(e.getKey());
                double difference = e.getValue().sub(other).amaxNumber().doubleValue();
                assertTrue(difference < 2e-4, "layer " + i + " " + e.getKey() + " differs by " + difference);
            }
        }
        assertTrue(viaDl4j.params().sub(start).amaxNumber().doubleValue() > 1e-3, "training did not move");
    }

    @Test
    void refusesWhatItCannotTranslate() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("c").nOut(4).activation(Activation.RELU).build())
                .layer(new LSTM.Builder().name("rnn").nOut(3).build())
                .layer(new LossLayer.Builder().build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SameDiffCopy.of(net, true));
        assertTrue(e.getMessage().contains("\"rnn\"") && e.getMessage().contains("LSTM"), e.getMessage());
    }

    private static SubsamplingLayer avgPool() {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG, new int[] {2, 2}).build();
    }

    /**
     * conv 7x7 Same → BN → ReLU → 3 avg pools 2x2 Same (28 → 4) → conv 3x3 → BN → ReLU → global avg
     * → softmax loss.
     */
    private static MultiLayerNetwork smallBatchNormNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(7, 7).nOut(6).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(avgPool()) // 28 → 14
                .layer(avgPool()) // 14 → 7
                .layer(avgPool()) // 7 → 4: the last window is half padding
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        net.init();
        return net;
    }
}
