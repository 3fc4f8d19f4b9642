package io.github.nola4j.layers;

import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns off the input gradient dL/dx of the low-rank layers whose input gradient nothing uses.
 *
 * <p>DL4J 1.0.0-M2.1 never tells a layer whether its input gradient is wanted:
 * {@code MultiLayerNetwork.calcBackpropGradients} calls {@code backpropGradient} on every layer
 * from the last down to layer 0 (stopping only at a {@code FrozenLayer}) and drops layer 0's
 * result in {@code fit}; {@code ComputationGraph.calcBackpropGradients} skips only input vertices
 * and {@code FrozenLayer}/{@code FrozenVertex} vertices. So the lowest trainable layer computes a
 * dL/dx that is thrown away: for a convolution that is one more convolution-sized product per step.
 *
 * <p>A layer's input gradient is needed when some layer below it (on any path from the network's
 * inputs) has a parameter that trains ({@link Trainability#trains(Layer)}: DL4J's frozen layers and
 * W and b of the low-rank layers do not). Layers
 * with no trainable layer below get {@link DirectLowRankLayer#setInputGradientNeeded}(false) and
 * return zeros as their input gradient, which is what keeps DL4J's backward pass intact. Trained
 * parameters are the same as with the input gradient computed (to rounding on the factorised
 * convolution path, whose kernel gradient then comes from im2col).
 *
 * <p>Call this after the network is built and before training; call {@link #computeAll} before
 * asking the network itself for its input gradient ({@code backpropGradient}). The setting lives in
 * the layers' runtime objects and is not saved with the network.
 */
public final class InputGradients {

    private static final Logger log = LoggerFactory.getLogger(InputGradients.class);

    private InputGradients() {
    }

    /** @return the number of low-rank layers whose input gradient is now skipped */
    public static int skipUnused(MultiLayerNetwork net) {
        int skipped = 0;
        boolean trainableBelow = false;
        for (Layer layer : net.getLayers()) {
            if (layer instanceof DirectLowRankLayer d) {
                d.setInputGradientNeeded(trainableBelow);
                skipped += trainableBelow ? 0 : 1;
            }
            trainableBelow |= Trainability.trains(layer);
        }
        log.debug("Input gradient skipped in {} low-rank layer(s)", skipped);
        return skipped;
    }

    /** @return the number of low-rank layers whose input gradient is now skipped */
    public static int skipUnused(ComputationGraph graph) {
        GraphVertex[] vertices = graph.getVertices();
        boolean[] trainableUpTo = new boolean[vertices.length]; // the vertex itself or a vertex below it trains
        int skipped = 0;
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = vertices[index];
            boolean below = false;
            VertexIndices[] inputs = v.getInputVertices();
            if (inputs != null) {
                for (VertexIndices in : inputs) {
                    below |= trainableUpTo[in.getVertexIndex()];
                }
            }
            if (v.hasLayer() && v.getLayer() instanceof DirectLowRankLayer d) {
                d.setInputGradientNeeded(below);
                skipped += below ? 0 : 1;
            }
            trainableUpTo[index] = below || (v.hasLayer() && Trainability.trains(v.getLayer()));
        }
        log.debug("Input gradient skipped in {} low-rank layer(s)", skipped);
        return skipped;
    }

    /** Makes every low-rank layer of {@code net} compute its input gradient again (the default). */
    public static void computeAll(MultiLayerNetwork net) {
        for (Layer layer : net.getLayers()) {
            if (layer instanceof DirectLowRankLayer d) {
                d.setInputGradientNeeded(true);
            }
        }
    }

    /** Makes every low-rank layer of {@code graph} compute its input gradient again (the default). */
    public static void computeAll(ComputationGraph graph) {
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof DirectLowRankLayer d) {
                d.setInputGradientNeeded(true);
            }
        }
    }
}
