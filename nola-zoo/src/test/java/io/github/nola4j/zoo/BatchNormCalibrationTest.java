package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNorm calibration behind dropout: the statistics are those of the layer's training-mode input (dropout on, as
 * training accumulates them), the same for the same ND4J seed, and the base is left as it was.
 */
class BatchNormCalibrationTest {

    /** conv → dropout → bn → out, on 1x8x8 input. */
    private static MultiLayerNetwork dropoutBeforeBatchNorm() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.DOUBLE)
                .updater(new Adam(1e-2)).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).name("drop").build())
                .layer(new BatchNormalization.Builder().name("bn1").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void statisticsBehindDropoutAreThoseOfTheTrainingModeInputAndFollowTheSeed() {
        MultiLayerNetwork base = dropoutBeforeBatchNorm();
        INDArray features = Fixtures.data(DataType.DOUBLE, 16, new long[] {1, 8, 8}, 2, 5).getFeatures();
        Nd4j.getRandom().setSeed(42);
        MultiLayerNetwork first = BatchNormCalibration.calibratedCopy(base, features);
        Nd4j.getRandom().setSeed(42);
        MultiLayerNetwork second = BatchNormCalibration.calibratedCopy(base, features);
        assertEquals(first.params(), second.params(), "two calibrations under one seed differ");
        MultiLayerNetwork third = BatchNormCalibration.calibratedCopy(base, features);
        assertNotEquals(first.getLayer("bn1").getParam("mean"), third.getLayer("bn1").getParam("mean"),
                "another seed draws other dropout masks");
        Nd4j.getRandom().setSeed(42);
        INDArray bnIn = base.clone().feedForward(features, true).get(2); // conv1 then dropout, as in training
        INDArray mean = bnIn.mean(0, 2, 3);
        INDArray calibrated = first.getLayer("bn1").getParam("mean");
        assertTrue(mean.reshape(calibrated.shape()).sub(calibrated).amaxNumber().doubleValue() < 1e-12,
                "bn1's mean " + calibrated + " against its training-mode input's " + mean);
        INDArray variance = bnIn.var(false, 0, 2, 3).add(1e-5); // DL4J reads back σ² + eps (useLogStd)
        INDArray calibratedVariance = io.github.nola4j.layers.network.BatchNormStatistics.variance(first.getLayer("bn1"));
        assertTrue(variance.reshape(calibratedVariance.shape()).sub(calibratedVariance).amaxNumber().doubleValue()
                < 1e-12, "bn1's variance " + calibratedVariance + " against its training-mode input's " + variance);
        assertTrue(base.getLayer("bn1").getParam("mean").sumNumber().doubleValue() == 0, "the base was changed");
    }
}
