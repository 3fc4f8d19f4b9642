package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.BaseCnn;
import io.github.nola4j.samples.data.LabelledImages;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import io.github.nola4j.layers.DifferentiationLogFilter;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Arrays;
import java.util.Collections;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains the {@link BaseCnn} as an equivalent SameDiff graph and writes the result back into the
 * DL4J network.
 *
 * <p>Why: in DL4J 1.0.0-M2.1 {@code ConvolutionLayer} runs im2col + gemm (its oneDNN helper fails to
 * load: "Cannot find class org.nd4j.nativeblas.Nd4jCpu$Environment"), about ten times slower here
 * than SameDiff's conv2d op, which runs on oneDNN. The graph computes exactly the same function:
 * same layers, same parameter values (DL4J's OIYX kernels permuted to YXIO), NCHW flattening as
 * DL4J's CnnToFeedForwardPreProcessor, softmax cross-entropy averaged over the batch, Adam.
 */
final class SameDiffPretrainer {

    private static final String INPUT = "x";
    private static final String LABEL = "label";
    private static final String LOSS = "loss";

    private SameDiffPretrainer() {
    }

    /** Trains {@code net} (a {@link BaseCnn}) in place for {@code steps} minibatches. */
    static void fit(MultiLayerNetwork net, LabelledImages data, int numClasses, int batchSize, long steps,
                    double learningRate, long seed, ProgressBar progress) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, 1, BaseCnn.IMAGE_SIZE, BaseCnn.IMAGE_SIZE);
        SDVariable label = sd.placeHolder(LABEL, DataType.FLOAT, -1, numClasses);
        SDVariable h = conv(sd, net, BaseCnn.CONV1, x);
        h = pool(sd, conv(sd, net, BaseCnn.CONV2, h));
        h = pool(sd, conv(sd, net, BaseCnn.CONV3, h));
        h = h.reshape(-1, net.getLayer(BaseCnn.DENSE).getParam("W").size(0));
        h = sd.nn().relu(dense(sd, net, BaseCnn.DENSE, h), 0);
        SDVariable logits = dense(sd, net, BaseCnn.HEAD, h);
        sd.loss().softmaxCrossEntropy(LOSS, label, logits, null);
        sd.setLossVariables(LOSS);
        sd.setTrainingConfig(new TrainingConfig(new Adam(learningRate), Collections.emptyList(), INPUT, LABEL));
        createGradientQuietly(sd);

        SplittableRandom random = new SplittableRandom(seed);
        int[] order = IntStream.range(0, data.size()).toArray();
        int position = data.size();
        for (long step = 0; step < steps; step++) {
            if (position >= data.size()) {
                LabelledImages.shuffle(order, random);
                position = 0;
            }
            int[] batch = Arrays.copyOfRange(order, position, Math.min(position + batchSize, data.size()));
            position += batch.length;
            sd.fit(new DataSet(data.features(batch), data.oneHotLabels(batch, numClasses)));
            progress.update(step + 1, ""); // the loss is not recorded without a listener
        }
        copyBack(sd, net);
    }

    private static SDVariable conv(SameDiff sd, MultiLayerNetwork net, String name, SDVariable in) {
        Layer layer = net.getLayer(name);
        INDArray w = layer.getParam("W"); // [nOut, nIn, kH, kW]
        SDVariable kernel = sd.var(name + "_W", w.permute(2, 3, 1, 0).dup('c'));
        SDVariable bias = sd.var(name + "_b", layer.getParam("b").dup().reshape(w.size(0)));
        Conv2DConfig config = new Conv2DConfig((int) w.size(2), (int) w.size(3), 1, 1, 0, 0, 1, 1, PaddingMode.VALID,
                Conv2DConfig.NCHW, WeightsFormat.YXIO);
        return sd.nn().relu(sd.cnn().conv2d(in, kernel, bias, config), 0);
    }

    private static SDVariable pool(SameDiff sd, SDVariable in) {
        return sd.cnn().maxPooling2d(in, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
    }

    private static SDVariable dense(SameDiff sd, MultiLayerNetwork net, String name, SDVariable in) {
        Layer layer = net.getLayer(name);
        SDVariable w = sd.var(name + "_W", layer.getParam("W").dup('c'));
        SDVariable b = sd.var(name + "_b", layer.getParam("b").dup('c'));
        return in.mmul(w).add(b);
    }

    private static void copyBack(SameDiff sd, MultiLayerNetwork net) {
        for (String name : new String[] {BaseCnn.CONV1, BaseCnn.CONV2, BaseCnn.CONV3, BaseCnn.DENSE, BaseCnn.HEAD}) {
            Layer layer = net.getLayer(name);
            INDArray w = sd.getVariable(name + "_W").getArr();
            INDArray target = layer.getParam("W");
            target.assign(target.rank() == 4 ? w.permute(3, 2, 0, 1) : w);
            INDArray b = layer.getParam("b");
            b.assign(sd.getVariable(name + "_b").getArr().reshape(b.shape()));
        }
    }

    /** SameDiff prints one "Added differentiated op" line per op to System.out while differentiating. */
    private static void createGradientQuietly(SameDiff sd) {
        DifferentiationLogFilter.run(sd::createGradFunction);
    }
}
