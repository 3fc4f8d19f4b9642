package io.github.nola4j.zoo;

import io.github.nola4j.layers.network.BatchNormStatistics;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sets the running mean and variance of every BatchNormalization layer of a copy of a freshly
 * initialised network from one batch of real inputs ({@link NolaTransfer#calibrateBatchNorm}).
 *
 * <p>Why: a random-init network has running statistics 0 and 1 (zoo ResNet50's weight init has a
 * standard deviation of 0.5). With BatchNorm frozen on those statistics, as a transfer freezes it,
 * nothing normalises the activations, which grow layer after layer (to NaN within the first blocks
 * of ResNet50). One training-mode forward pass normalises every layer with its batch statistics, so
 * the input each BatchNorm layer sees in it is what it sees in inference mode once all earlier
 * layers use these statistics: its per-channel mean and (biased) variance over the batch, and over
 * height and width for [n, c, h, w] inputs, are the running statistics to set. Pretrained networks
 * do not need this; theirs come from their own training data.
 *
 * <p>Dropout stays on in that pass, as it is when training accumulates running statistics: a
 * BatchNorm layer behind a dropout gets the statistics of its training-mode input, which is what
 * the transfer then trains on. (With dropout off, zoo SimpleCNN's training-mode activations behind
 * its dropout layers outgrew those statistics and its loss went to NaN within three steps.) The
 * masks come from ND4J's random generator: seed it ({@code Nd4j.getRandom().setSeed}) before
 * {@code build()} for the same statistics from run to run.
 */
final class BatchNormCalibration {

    private BatchNormCalibration() {
    }

    /**
     * @return {@code features}, checked as a calibration batch
     * @throws IllegalArgumentException for a batch of fewer than 2 inputs (null: NullPointerException)
     */
    static INDArray checkedBatch(INDArray features) {
        Objects.requireNonNull(features, "features: pass a batch of training inputs, e.g. trainData.getFeatures()");
        if (features.size(0) < 2) {
            throw new IllegalArgumentException("BatchNorm calibration needs a batch of at least 2 inputs to estimate a"
                    + " variance, got " + features.size(0) + "; pass 100 or more training inputs");
        }
        return features;
    }

    /**
     * @param network  a MultiLayerNetwork or ComputationGraph (only read)
     * @param features a batch of inputs, e.g. [n, c, h, w]
     * @return a copy of {@code network} with calibrated BatchNorm statistics
     * @throws IllegalArgumentException when the network has no BatchNormalization layer
     */
    @SuppressWarnings("unchecked")
    static <M extends Model> M calibratedCopy(M network, INDArray features) {
        if (batchNormLayers(network).isEmpty()) {
            throw new IllegalArgumentException("calibrateBatchNorm(..): the network has no BatchNormalization layer"
                    + " to calibrate; remove the call");
        }
        if (network instanceof MultiLayerNetwork net) {
            MultiLayerNetwork copy = net.clone();
            List<INDArray> activations = copy.feedForward(features, true);
            for (int i = 0; i < copy.getnLayers(); i++) {
                calibrate(copy.getLayer(i), activations.get(i)); // activations[i] is the input of layer i
            }
            return (M) copy;
        }
        ComputationGraph copy = ((ComputationGraph) network).clone();
        Map<String, INDArray> activations = copy.feedForward(features, true);
        Map<String, List<String>> inputs = copy.getConfiguration().getVertexInputs();
        for (GraphVertex vertex : copy.getVertices()) {
            if (vertex.hasLayer()) {
                calibrate(vertex.getLayer(), activations.get(inputs.get(vertex.getVertexName()).get(0)));
            }
        }
        return (M) copy;
    }

    /** @return the names of the BatchNormalization layers of {@code network}, in network order */
    static List<String> batchNormLayers(Model network) {
        List<String> names = new ArrayList<>();
        NetworkEditor.layersOf(network).forEach((name, layer) -> {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                names.add(name);
            }
        });
        return names;
    }

    private static void calibrate(Layer layer, INDArray x) {
        if (!(layer.conf().getLayer() instanceof BatchNormalization)) {
            return;
        }
        int[] reduce = x.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0};
        BatchNormStatistics.set(layer, x.mean(reduce), x.var(false, reduce));
    }
}
