package io.github.nola4j.samples.cnn;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's zoo {@link SimpleCNN} for 28x28 grey images: five blocks of convolutions (7x7, 5x5, 3x3;
 * 16 to 256 channels, Same mode), each followed by BatchNormalization, with ReLU, 2x2 average
 * pooling and dropout 0.5 between blocks; a last 3x3 convolution 256 → classes ({@link #HEAD}),
 * global average pooling and softmax. 637,184 parameters below the head for 5 classes, 2,048 of
 * them BatchNorm running statistics.
 *
 * <p>The zoo network ends in a softmax {@code ActivationLayer}, which {@code fit()} cannot train
 * (DL4J needs an output layer). Here it is a {@code LossLayer} with softmax and MCXENT: the same
 * outputs, and the loss the zoo's softmax asks for.
 */
public final class ZooSimpleCnn {

    /** The last convolution, 256 → classes: the layer a transfer replaces. */
    public static final String HEAD = "layer30";
    /** Name of the closing softmax loss layer. */
    public static final String OUTPUT = "output";

    private ZooSimpleCnn() {
    }

    /** @return a freshly initialised network, trained with Adam at {@link BaseCnn#PRETRAIN_LEARNING_RATE} */
    public static MultiLayerNetwork create(int numClasses, long seed) {
        MultiLayerConfiguration conf = SimpleCNN.builder().numClasses(numClasses).seed(seed)
                .inputShape(new int[] {1, BaseCnn.IMAGE_SIZE, BaseCnn.IMAGE_SIZE})
                .updater(new Adam(BaseCnn.PRETRAIN_LEARNING_RATE)).build().conf();
        var last = conf.getConf(conf.getConfs().size() - 1);
        if (!(last.getLayer() instanceof ActivationLayer a && a.getActivationFn() instanceof ActivationSoftmax)) {
            throw new IllegalStateException("DL4J's SimpleCNN no longer ends in a softmax ActivationLayer but in "
                    + last.getLayer() + "; ZooSimpleCnn needs updating");
        }
        last.setLayer(new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .name(OUTPUT).build());
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
