package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.LayerOperation;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static io.github.nola4j.layers.RelativeCloseness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The direct runtime's inference pass with its kept form ({@link io.github.nola4j.layers.ops.InferenceForm})
 * equals the per-call form {@link LayerOperation#preOutput} (float 1e-6 relative, double 1e-12), before and
 * after W or α is written in place, and gives the same bits on every call.
 */
class InferenceFormTest {

    private static MultiLayerNetwork network(DataType dataType) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(dataType).list()
                .layer(new NolaConv2d.Builder().kernelSize(3, 3).nOut(5).rank(2).numBasesA(6).numBasesB(5)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(new NolaConv2d.Builder().kernelSize(2, 2).stride(2, 2).nOut(4).rank(2).numBasesA(6)
                        .numBasesB(5).activation(Activation.RELU).build())
                .layer(new NolaDense.Builder().nOut(4).rank(2).numBasesA(6).numBasesB(5)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 3)).build());
        net.init();
        Nd4j.getRandom().setSeed(9);
        for (int i = 0; i < 3; i++) {
            INDArray beta = net.getLayer(i).getParam(NolaLayer.BETA_KEY);
            beta.assign(Nd4j.rand(dataType, beta.shape()).subi(0.5));
        }
        return net;
    }

    /** @return act(preOutput(x, W, b, update)) computed afresh from the layer's current parameters */
    private static INDArray perCall(Layer layer, INDArray x) {
        LowRankLayer conf = (LowRankLayer) layer.conf().getLayer();
        INDArray z = conf.shape().preOutput(x, layer.getParam(LowRankLayer.WEIGHT_KEY),
                layer.getParam(LowRankLayer.BIAS_KEY), conf.update(layer.paramTable()));
        return conf.getActivation().getActivationFunction().getActivation(z, false);
    }

    @Test
    void keptFormEqualsThePerCallFormAndFollowsWrites() {
        for (DataType dataType : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            double tolerance = dataType == DataType.DOUBLE ? 1e-12 : 1e-6;
            MultiLayerNetwork net = network(dataType);
            Nd4j.getRandom().setSeed(1);
            INDArray x = Nd4j.rand(dataType, 2, 3, 6, 6).subi(0.5);
            LayerWorkspaceMgr noWs = LayerWorkspaceMgr.noWorkspaces();
            INDArray in = x;
            for (int i = 0; i < 3; i++) {
                Layer layer = net.getLayer(i);
                INDArray input = i == 2 ? in.reshape(in.size(0), in.length() / in.size(0)) : in;
                String what = dataType + " layer " + i;
                INDArray first = layer.activate(input.dup(), false, noWs).dup();
                assertClose(perCall(layer, input), first, tolerance, what);
                assertEquals(first, layer.activate(input.dup(), false, noWs), what + ": same bits on the next call");

                layer.getParam(LowRankLayer.WEIGHT_KEY).addi(0.25); // in place: the same array, other values
                assertClose(perCall(layer, input), layer.activate(input.dup(), false, noWs).dup(), tolerance,
                        what + " after W changed");
                layer.getParam(NolaLayer.ALPHA_KEY).muli(-2);
                assertClose(perCall(layer, input), layer.activate(input.dup(), false, noWs).dup(), tolerance,
                        what + " after α changed");
                in = layer.activate(input.dup(), false, noWs).dup();
            }
        }
    }
}
