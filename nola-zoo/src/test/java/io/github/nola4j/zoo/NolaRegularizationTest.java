package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** α and β get no l1, l2 or weight decay from the base; only the fine-tune configuration's. */
class NolaRegularizationTest {

    /** conv → dense → out with l1 1e-4, l2 1e-3 and weight decay 1e-2 on every layer. */
    private static MultiLayerNetwork regularisedBase() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).l1(1e-4).l2(1e-3).weightDecay(1e-2).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(3).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static List<Regularization> coefficientRegularization(MultiLayerNetwork net, String layer) {
        NolaLayer conf = (NolaLayer) net.getLayer(layer).conf().getLayer();
        assertEquals(conf.getRegularizationByParam(NolaLayer.ALPHA_KEY), conf.getRegularizationByParam(NolaLayer.BETA_KEY));
        return conf.getRegularizationByParam(NolaLayer.ALPHA_KEY);
    }

    @Test
    void baseRegularisersAreLeftOffTheCoefficients() {
        MultiLayerNetwork base = regularisedBase();
        assertEquals(3, ((org.deeplearning4j.nn.conf.layers.BaseLayer) base.getLayer("conv").conf().getLayer())
                .getRegularization().size(), "the base must carry l1, l2 and weight decay for this test to show anything");
        for (FineTuneConfiguration fineTune : new FineTuneConfiguration[] {null,
                new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).build()}) {
            MultiLayerNetwork net = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                    .rank(2).numBases(4, 4).fineTuneConfiguration(fineTune).build().network();
            assertEquals(List.of(), coefficientRegularization(net, "conv"));
            assertEquals(List.of(), coefficientRegularization(net, "fc"));
            assertEquals(3, NolaLayerFactory.regularizationLeftOff(base.getLayer("fc").conf().getLayer(), fineTune)
                    .size());
        }
    }

    @Test
    void fineTuneRegularisationReachesTheCoefficients() {
        FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).l2(5e-4).build();
        MultiLayerNetwork net = NolaTransfer.of(regularisedBase()).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .rank(2).numBases(4, 4).fineTuneConfiguration(fineTune).build().network();
        for (String layer : List.of("conv", "fc")) {
            List<Regularization> r = coefficientRegularization(net, layer);
            assertEquals(1, r.size(), layer + ": " + r);
            assertInstanceOf(L2Regularization.class, r.get(0));
        }
    }
}
