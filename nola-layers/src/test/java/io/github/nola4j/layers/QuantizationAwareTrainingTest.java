package io.github.nola4j.layers;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizationAwareTrainingTest {

    private static MultiLayerNetwork net(int bits) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new NolaDense.Builder().nOut(6).rank(2).numBasesA(9).numBasesB(11).quantizationBits(bits)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        return net;
    }

    @Test
    void forwardUsesQuantisedCoefficientsAndGradientsPassStraightThrough() {
        MultiLayerNetwork qat = net(4);
        MultiLayerNetwork reference = net(0);
        LowRankLayerContract.copyBase(reference, qat);
        LowRankLayerContract.randomiseBeta(qat.getLayer(0), 3);
        INDArray alpha = qat.getLayer(0).getParam("alpha");
        INDArray beta = qat.getLayer(0).getParam("beta");
        reference.getLayer(0).getParam("alpha").assign(CoefficientQuantization.quantize(alpha, 4));
        reference.getLayer(0).getParam("beta").assign(CoefficientQuantization.quantize(beta, 4));
        long distinct = Arrays.stream(CoefficientQuantization.quantize(beta, 4).data().asDouble()).distinct().count();
        assertTrue(distinct <= 15, "4 bits give at most 15 levels, got " + distinct);

        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 3).putScalar(0, 1, 1).putScalar(1, 0, 1).putScalar(2, 2, 1)
                .putScalar(3, 1, 1);
        assertTrue(LowRankLayerContract.maxRelativeError(reference.output(x), qat.output(x)) <= 1e-12);

        for (MultiLayerNetwork n : new MultiLayerNetwork[] {qat, reference}) {
            n.setInput(x);
            n.setLabels(y);
            n.computeGradientAndScore();
        }
        for (String key : new String[] {"0_alpha", "0_beta"}) {
            double err = LowRankLayerContract.maxRelativeError(reference.gradient().getGradientFor(key),
                    qat.gradient().getGradientFor(key));
            assertTrue(err <= 1e-10, key + ": straight-through gradient differs by " + err);
        }
        assertEquals(0.0, CoefficientQuantization.quantize(Nd4j.zeros(DataType.DOUBLE, 1, 4), 4)
                .amaxNumber().doubleValue(), "all-zero vectors must stay zero");
    }

    @Test
    void rejectsUnsupportedWidths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NolaDense.Builder().nIn(3).nOut(2).quantizationBits(9).build());
        assertTrue(e.getMessage().contains("quantizationBits = 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NolaDense.Builder().nIn(3).nOut(2).quantizationBits(1).build());
    }
}
