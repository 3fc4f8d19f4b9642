package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Random;

/** A small adapted network: NolaConv2d "conv" → NolaDense "dense" → OutputLayer "head". */
final class TestNets {

    static final int K = 16;
    static final int L = 16;
    static final List<String> HEAD = List.of("head");

    private TestNets() {
    }

    static MultiLayerNetwork base(long weightSeed, int classes) {
        return base(weightSeed, classes, 6);
    }

    static MultiLayerNetwork base(long weightSeed, int classes, int denseOut) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(weightSeed).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).list()
                .layer(new NolaConv2d.Builder().name("conv").nOut(4).kernelSize(3, 3).rank(2).numBasesA(K)
                        .numBasesB(L).basisSeed(11).scale(0.5).activation(Activation.RELU).build())
                .layer(new NolaDense.Builder().name("dense").nOut(denseOut).rank(2).numBasesA(K).numBasesB(L)
                        .basisSeed(12).scale(0.5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().name("head").nOut(classes).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Stands in for training: random α, β and head. */
    static void pretendTrained(Model net, long seed) {
        Random r = new Random(seed);
        for (Layer layer : AdaptedNetwork.of(net).nolaLayers()) {
            fill(layer.getParam(NolaLayer.ALPHA_KEY), r);
            fill(layer.getParam(NolaLayer.BETA_KEY), r);
        }
        for (INDArray p : AdaptedNetwork.of(net).layer("head").paramTable().values()) {
            fill(p, r);
        }
    }

    private static void fill(INDArray p, Random r) {
        float[] v = new float[(int) p.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        p.assign(Nd4j.createFromArray(v).reshape(p.shape()));
    }

    static INDArray input(long seed) {
        Random r = new Random(seed);
        float[] v = new float[5 * 36];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Nd4j.createFromArray(v).reshape(5, 1, 6, 6);
    }

    /** @return every parameter, bit for bit */
    static float[] params(Model net) {
        return net.params().dup().data().asFloat();
    }
}
