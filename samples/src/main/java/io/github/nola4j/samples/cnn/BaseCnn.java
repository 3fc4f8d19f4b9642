package io.github.nola4j.samples.cnn;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/**
 * The small base CNN of the reference experiment, for 28x28 grey images (no padding):
 * <pre>
 *   conv1  3x3, 1 → 32, ReLU       [n,1,28,28] → [n,32,26,26]
 *   conv2  3x3, 32 → 64, ReLU      → [n,64,24,24]
 *   pool1  max 2x2                 → [n,64,12,12]
 *   conv3  3x3, 64 → 64, ReLU      → [n,64,10,10]
 *   pool2  max 2x2                 → [n,64,5,5]
 *   dense  1600 → 128, ReLU
 *   head   128 → classes, softmax, cross-entropy
 * </pre>
 * 260,672 parameters below the head.
 */
public final class BaseCnn {

    public static final String CONV1 = "conv1";
    public static final String CONV2 = "conv2";
    public static final String POOL1 = "pool1";
    public static final String CONV3 = "conv3";
    public static final String POOL2 = "pool2";
    public static final String DENSE = "dense";
    public static final String HEAD = "head";

    /** Layers that fine-tuning adapts: the three convolutions and the dense layer. */
    public static final List<String> ADAPTED_LAYERS = List.of(CONV1, CONV2, CONV3, DENSE);

    /** Image height and width. */
    public static final int IMAGE_SIZE = 28;
    /** Pretraining learning rate (Adam). */
    public static final double PRETRAIN_LEARNING_RATE = 1e-3;

    private BaseCnn() {
    }

    /** @return a freshly initialised base network, trained with Adam at {@link #PRETRAIN_LEARNING_RATE} */
    public static MultiLayerNetwork create(int numClasses, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(layers(numClasses), seed,
                new Adam(PRETRAIN_LEARNING_RATE)));
        net.init();
        return net;
    }

    /** @return new configurations of the base layers, in order, head last */
    public static List<Layer> layers(int numClasses) {
        List<Layer> layers = new ArrayList<>();
        layers.add(conv(CONV1, 1, 32));
        layers.add(conv(CONV2, 32, 64));
        layers.add(pool(POOL1));
        layers.add(conv(CONV3, 64, 64));
        layers.add(pool(POOL2));
        layers.add(new DenseLayer.Builder().name(DENSE).nIn(1600).nOut(128).activation(Activation.RELU)
                .weightInit(WeightInit.RELU).build());
        layers.add(head(numClasses));
        return layers;
    }

    /** @return a new softmax head 128 → numClasses */
    public static OutputLayer head(int numClasses) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name(HEAD).nIn(128).nOut(numClasses)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build();
    }

    /** @return the network configuration of the given layers, input [n, 1, 28, 28] */
    public static MultiLayerConfiguration configuration(List<Layer> layers, long seed, IUpdater updater) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .convolutionMode(ConvolutionMode.Truncate)
                .list();
        for (Layer layer : layers) {
            list.layer(layer);
        }
        return list.setInputType(InputType.convolutional(IMAGE_SIZE, IMAGE_SIZE, 1)).build();
    }

    private static ConvolutionLayer conv(String name, int nIn, int nOut) {
        return new ConvolutionLayer.Builder(3, 3).name(name).nIn(nIn).nOut(nOut).stride(1, 1)
                .activation(Activation.RELU).weightInit(WeightInit.RELU).build();
    }

    private static SubsamplingLayer pool(String name) {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name(name).kernelSize(2, 2)
                .stride(2, 2).build();
    }
}
