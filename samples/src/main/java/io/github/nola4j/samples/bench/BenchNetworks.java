package io.github.nola4j.samples.bench;

import io.github.nola4j.layers.InputGradients;
import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.zoo.FrozenInferenceLayer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The networks of the {@code dense} and {@code conv} scenarios, one per kind:
 * <ul>
 *   <li>dense: batch 64, input 512, one 512→512 tanh layer, softmax head 512→10 (MCXENT), Adam;
 *       NOLA r = 8, k = l = 256.</li>
 *   <li>conv: batch 32, input 64×32×32, one 3×3 convolution 64→64 (Same, ReLU), global average
 *       pooling, softmax head 64→10, Adam; NOLA r = 4, k = l = 256.</li>
 * </ul>
 * Kinds: {@code full} (the layer trains), {@code frozen} (the layer as NolaTransfer freezes it when
 * gradients must flow through: {@link FrozenInferenceLayer}, a ConvolutionLayer on libnd4j's conv2d
 * with its input gradient and no kernel gradient; a DenseLayer as DL4J's), {@code frozen_dl4j} (DL4J's
 * own FrozenLayerWithBackprop: its layer's full backward pass, the parameter gradients zeroed after),
 * {@code nola} (the NOLA layer; it is the lowest trainable layer, so {@link InputGradients} turns
 * its dL/dx off), {@code floor} (the same network and batch without the adapted layer: what DL4J's own
 * step costs, output layer, loss, updater and fit machinery). Both frozen kinds compute dL/dx, as PyTorch's
 * frozen kind does.
 */
public final class BenchNetworks {

    public enum Scenario { DENSE, CONV }

    public enum Kind { FULL, FROZEN, FROZEN_DL4J, NOLA, FLOOR }

    private BenchNetworks() {
    }

    public static MultiLayerNetwork network(Scenario scenario, Kind kind) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list();
        if (kind != Kind.FLOOR) {
            list.layer(layer(scenario, kind));
        }
        if (scenario == Scenario.CONV) {
            list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                .activation(Activation.SOFTMAX).build());
        list.setInputType(scenario == Scenario.CONV ? InputType.convolutional(32, 32, 64) : InputType.feedForward(512));
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        if (kind == Kind.NOLA) {
            InputGradients.skipUnused(net); // the NOLA layer is the lowest trainable one: nothing uses its dL/dx
        }
        return net;
    }

    private static Layer layer(Scenario scenario, Kind kind) {
        if (scenario == Scenario.DENSE) {
            return switch (kind) {
                case FLOOR -> throw new IllegalArgumentException("the floor kind has no adapted layer");
                case FULL -> denseLayer();
                case FROZEN -> new FrozenInferenceLayer(frozenCopy(denseLayer()));
                case FROZEN_DL4J -> new FrozenLayerWithBackprop(denseLayer());
                case NOLA -> new NolaDense.Builder().nOut(512).rank(8).numBasesA(256).numBasesB(256).scale(1.0 / 8)
                        .activation(Activation.TANH).build();
            };
        }
        return switch (kind) {
            case FLOOR -> throw new IllegalArgumentException("the floor kind has no adapted layer");
            case FULL -> convLayer();
            case FROZEN -> new FrozenInferenceLayer(frozenCopy(convLayer()));
            case FROZEN_DL4J -> new FrozenLayerWithBackprop(convLayer());
            case NOLA -> new NolaConv2d.Builder().nOut(64).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                    .rank(4).numBasesA(256).numBasesB(256).scale(0.25).activation(Activation.RELU).build();
        };
    }

    /** @return {@code layer} with a NoOp updater, as NolaTransfer freezes it (no updater state) */
    private static Layer frozenCopy(BaseLayer layer) {
        layer.setIUpdater(new NoOp());
        layer.setBiasUpdater(new NoOp());
        return layer;
    }

    private static BaseLayer denseLayer() {
        return new DenseLayer.Builder().nOut(512).activation(Activation.TANH).build();
    }

    private static BaseLayer convLayer() {
        return new ConvolutionLayer.Builder(3, 3).nOut(64).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.RELU).build();
    }

    /** @return one fixed random minibatch of the scenario, labels spread over the 10 classes */
    public static DataSet batch(Scenario scenario) {
        Nd4j.getRandom().setSeed(11);
        int minibatch = scenario == Scenario.CONV ? 32 : 64;
        var features = scenario == Scenario.CONV ? Nd4j.rand(DataType.FLOAT, minibatch, 64, 32, 32)
                : Nd4j.rand(DataType.FLOAT, minibatch, 512);
        var labels = Nd4j.zeros(DataType.FLOAT, minibatch, 10);
        for (int i = 0; i < minibatch; i++) {
            labels.putScalar(i, i % 10, 1);
        }
        return new DataSet(features, labels);
    }
}
