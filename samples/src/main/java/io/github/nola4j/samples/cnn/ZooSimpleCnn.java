package io.github.nola4j.samples.cnn;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's zoo {@link SimpleCNN} for 28x28 grey images: five blocks of convolutions (7x7, 5x5, 3x3;
 * 16 to 256 channels, Same mode), each followed by BatchNormalization, with ReLU, 2x2 average
 * pooling and dropout 0.5 between blocks; a last 3x3 convolution 256 → classes ({@link #HEAD}),
 * global average pooling and softmax. 626,800 parameters below the head, 1,472 of them BatchNorm
 * running statistics; the head has 11,525 for 5 classes.
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
        MultiLayerNetwork zoo = (MultiLayerNetwork) SimpleCNN.builder().numClasses(numClasses).seed(seed)
                .inputShape(new int[] {1, BaseCnn.IMAGE_SIZE, BaseCnn.IMAGE_SIZE})
                .updater(new Adam(BaseCnn.PRETRAIN_LEARNING_RATE)).build().init();
        Layer last = zoo.getLayer(zoo.getnLayers() - 1).conf().getLayer();
        if (!(last instanceof ActivationLayer a && a.getActivationFn() instanceof ActivationSoftmax)) {
            throw new IllegalStateException("DL4J's SimpleCNN no longer ends in a softmax ActivationLayer but in "
                    + last + "; ZooSimpleCnn needs updating");
        }
        // through TransferLearning, so that the new layer gets the network's defaults and ModelSerializer reads it back
        return new TransferLearning.Builder(zoo)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(seed)
                        .updater(new Adam(BaseCnn.PRETRAIN_LEARNING_RATE)).build())
                .removeLayersFromOutput(1)
                .addLayer(new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .name(OUTPUT).build())
                .build();
    }
}
