package io.github.nola4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * A network in DL4J's model format (configuration JSON plus parameters, no updater state), the
 * form in which the base is broadcast to the workers once.
 */
public final class NetworkBytes implements Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] bytes;
    private final boolean graph;

    private NetworkBytes(byte[] bytes, boolean graph) {
        this.bytes = bytes;
        this.graph = graph;
    }

    /** @return the configuration and parameters of a MultiLayerNetwork or ComputationGraph */
    public static NetworkBytes of(Model network) {
        if (!(network instanceof MultiLayerNetwork) && !(network instanceof ComputationGraph)) {
            throw new IllegalArgumentException("Network of type " + network.getClass().getName() + " cannot be "
                    + "broadcast: pass a MultiLayerNetwork or a ComputationGraph");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise the network", e);
        }
        return new NetworkBytes(out.toByteArray(), network instanceof ComputationGraph);
    }

    /** @return a new network with the stored configuration and parameters and a fresh updater */
    public Model restore() {
        try {
            return graph ? ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false)
                    : ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restore the broadcast network", e);
        }
    }

    /** @return size of the stored network in bytes */
    public int size() {
        return bytes.length;
    }
}
