package io.github.nola4j.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void gradcheck() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(1)
                .updater(new NoOp()).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new NolaDense.Builder().nIn(5).nOut(6).rank(2).numBasesA(3).numBasesB(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().nIn(6).nOut(3).activation(Activation.SOFTMAX).lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(1).getParam("beta").assign(Nd4j.rand(DataType.DOUBLE, 1, 4).subi(0.5));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 7, 4);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 7, 3);
        for (int i = 0; i < 7; i++) y.putScalar(i, i % 3, 1.0);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .excludeParams(Set.of("1_W", "1_b")).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
    }
}
