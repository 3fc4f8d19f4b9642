package io.github.nola4j.samples.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GLOBAL_LOG_STD;
import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GLOBAL_MEAN;
import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GLOBAL_VAR;

/**
 * Sets the running mean and variance of every BatchNormalization layer of a freshly initialised
 * ComputationGraph from one batch of real images.
 *
 * <p>Why: a random-init ResNet50 has running statistics 0 and 1, and its zoo weight init has a
 * standard deviation of 0.5. With BatchNorm frozen on those statistics (as NOLA transfer freezes
 * it) nothing normalises the activations, which overflow to NaN within the first blocks. One
 * training-mode forward pass normalises every layer with its batch statistics, so the input each
 * BatchNorm layer sees in it is what it sees in inference mode once all earlier layers use these
 * statistics: its per-channel mean and variance are the running statistics to set. Pretrained
 * networks do not need this; theirs come from their own training data.
 */
final class BatchNormCalibration {

    private BatchNormCalibration() {
    }

    /**
     * @param net      an NCHW graph, changed in place
     * @param features a batch of inputs [n, c, h, w]
     * @return the number of BatchNormalization layers calibrated
     */
    static int calibrate(ComputationGraph net, INDArray features) {
        Map<String, INDArray> activations = net.feedForward(features, true);
        Map<String, java.util.List<String>> inputs = net.getConfiguration().getVertexInputs();
        int calibrated = 0;
        for (GraphVertex vertex : net.getVertices()) {
            if (!vertex.hasLayer() || !(vertex.getLayer().conf().getLayer() instanceof BatchNormalization bn)) {
                continue;
            }
            INDArray x = activations.get(inputs.get(vertex.getVertexName()).get(0));
            int[] reduce = x.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0};
            INDArray mean = x.mean(reduce);
            INDArray var = x.var(false, reduce);
            Layer layer = vertex.getLayer();
            assign(layer, GLOBAL_MEAN, mean);
            if (layer.paramTable().containsKey(GLOBAL_VAR)) {
                assign(layer, GLOBAL_VAR, var);
            } else {
                assign(layer, GLOBAL_LOG_STD, Transforms.log(Transforms.sqrt(var.add(bn.getEps())), 10.0));
            }
            calibrated++;
        }
        return calibrated;
    }

    /** Writes into the parameter's view of the flat parameter vector, keeping its shape. */
    private static void assign(Layer layer, String key, INDArray values) {
        INDArray param = layer.getParam(key);
        param.assign(values.castTo(param.dataType()).reshape(param.shape()));
    }
}
