package io.github.nola4j.samples.serve;

import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.BaseCnn;
import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The base a server runs: the samples CNN (1×28×28, from {@code --base FILE} or made with a fixed seed) or
 * DL4J's zoo ResNet50 (3×S×S, random init with a fixed seed), and the transfer its generated adapters use:
 * NOLA r = 4, s = 1/4, k = l = 256 on every adapted layer, a new head of {@value #CLASSES} classes.
 *
 * @param name     "cnn" or "resnet50"
 * @param size     image height and width
 * @param baseFile a saved base (ModelSerializer), or null to make one from the seed
 */
public record ServedModel(String name, int size, Path baseFile) {

    /** Classes of the generated adapters' heads. */
    public static final int CLASSES = 5;
    /** Seed of a base made here: the same base, and so the same fingerprint, in every run. */
    public static final long BASE_SEED = 3;
    /** Images the ResNet50 base's BatchNorm statistics are computed on. */
    private static final int CALIBRATION_IMAGES = 16;
    /** Names {@code --model} takes. */
    public static final List<String> NAMES = List.of("cnn", "resnet50");

    /** @throws UsageException for an unknown name or a bad size */
    public ServedModel {
        if (!NAMES.contains(name)) {
            throw new UsageException("--model " + name + " is not one of " + NAMES);
        }
        if (name.equals("cnn") && size != BaseCnn.IMAGE_SIZE) {
            throw new UsageException("--size " + size + ": the samples CNN takes " + BaseCnn.IMAGE_SIZE + "x"
                    + BaseCnn.IMAGE_SIZE + " images; leave --size out");
        }
        if (name.equals("resnet50") && size < 96) {
            throw new UsageException("--size " + size + " is too small for ResNet50 (its 3x3 average pooling needs 3x3 maps after the stride of 32); use 96 or more");
        }
    }

    /** @return the model named, at its default size (cnn 28, resnet50 96) unless {@code size} &gt; 0 */
    public static ServedModel of(String name, int size, Path baseFile) {
        return new ServedModel(name, size > 0 ? size : name.equals("cnn") ? BaseCnn.IMAGE_SIZE : 96, baseFile);
    }

    /** @return {C, H, W} of one image */
    public long[] imageShape() {
        return name.equals("cnn") ? new long[] {1, size, size} : new long[] {3, size, size};
    }

    /** @return the base network */
    public Model base() throws IOException {
        if (name.equals("cnn")) {
            return baseFile != null ? ModelSerializer.restoreMultiLayerNetwork(baseFile.toFile(), false)
                    : BaseCnn.create(CLASSES, BASE_SEED);
        }
        if (baseFile != null) {
            return ModelSerializer.restoreComputationGraph(baseFile.toFile(), false);
        }
        ComputationGraph net = ResNet50.builder().numClasses(10).seed(BASE_SEED).inputShape(new int[] {3, size, size})
                .build().init();
        calibrateBatchNorm(net);
        return net;
    }

    /**
     * Gives a random-init graph's BatchNorm layers running statistics (init()'s computed NaN in inference):
     * the per-channel mean and variance of each one's input over {@value #CALIBRATION_IMAGES} seeded random
     * images, from one training-mode pass, so the same base (and fingerprint) is made in every run.
     */
    private void calibrateBatchNorm(ComputationGraph net) {
        Nd4j.getRandom().setSeed(BASE_SEED);
        long[] in = {CALIBRATION_IMAGES, 3, size, size};
        Map<String, INDArray> acts = net.feedForward(Nd4j.rand(DataType.FLOAT, in), true);
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                String name = layer.conf().getLayer().getLayerName();
                INDArray x = acts.get(net.getConfiguration().getVertexInputs().get(name).get(0));
                int[] axes = x.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0};
                BatchNormStatistics.set(layer, x.mean(axes), x.var(false, axes));
            }
        }
    }

    /** @return the transfer generated adapters are made with */
    public TransferResult<?> transfer(Model base) {
        if (base instanceof MultiLayerNetwork mln) {
            return NolaTransfer.of(mln).targetNames(BaseCnn.ADAPTED_LAYERS.toArray(new String[0])).rank(4)
                    .numBases(256, 256).scale(0.25).basisSeed(42).replaceHead(CLASSES).build();
        }
        return NolaTransfer.of((ComputationGraph) base).targetKinds(LayerKind.CONVOLUTION).rank(4).numBases(256, 256)
                .scale(0.25).basisSeed(42).replaceHead(CLASSES).build();
    }
}
