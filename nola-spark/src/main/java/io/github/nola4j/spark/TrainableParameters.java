package io.github.nola4j.spark;

import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The parameters of a network that change in {@code fit()}, as one flat vector, and the frozen
 * rest: those for which {@link Trainability#changesInFit} holds. A parameter is trainable when
 * <ul>
 *   <li>its layer is not frozen (neither DL4J's {@code FrozenLayer} nor {@code FrozenLayerWithBackprop},
 *       which nola-zoo's frozen layers extend), and</li>
 *   <li>its updater is not NoOp (NOLA layers give their pretrained W and b a NoOp updater
 *       and no gradient, so only α and β qualify; a new head trains everything), or</li>
 *   <li>it is a running mean or variance of a BatchNormalization layer kept trainable whose decay is
 *       below 1: fit() moves those without an updater.</li>
 * </ul>
 * The selection looks at layer types and updaters, never at parameter names, so LoRA layers, new
 * heads and layers kept trainable are covered the same way.
 *
 * <p>{@link #values()} is a row vector [1, n] in the network's data type, in network order
 * (layer by layer, parameter order within a layer, each array flattened in its own ordering, as
 * DL4J's flat parameter vector does); {@link #assign} writes such a vector back.
 */
public final class TrainableParameters {

    /** One parameter array of a layer, a view into the network's flat parameters. */
    record Parameter(String layer, String key, INDArray view) {
    }

    private final List<Parameter> trainable;
    private final List<Parameter> frozen;
    private final long length;
    private final DataType dataType;

    private TrainableParameters(List<Parameter> trainable, List<Parameter> frozen, DataType dataType) {
        this.trainable = List.copyOf(trainable);
        this.frozen = List.copyOf(frozen);
        this.length = trainable.stream().mapToLong(p -> p.view().length()).sum();
        this.dataType = dataType;
    }

    /** @return the trainable and frozen parameters of a MultiLayerNetwork or ComputationGraph */
    public static TrainableParameters of(Model network) {
        Layer[] layers;
        DataType dataType;
        if (network instanceof MultiLayerNetwork mln) {
            layers = mln.getLayers();
            dataType = mln.getLayerWiseConfigurations().getDataType();
        } else if (network instanceof ComputationGraph graph) {
            layers = graph.getLayers();
            dataType = graph.getConfiguration().getDataType();
        } else {
            throw new IllegalArgumentException("Network of type " + network.getClass().getName() + " is not supported: "
                    + "pass a MultiLayerNetwork or a ComputationGraph");
        }
        List<Parameter> trainable = new ArrayList<>();
        List<Parameter> frozen = new ArrayList<>();
        for (Layer layer : layers) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            for (var entry : layer.paramTable().entrySet()) {
                Parameter p = new Parameter(conf.getLayerName(), entry.getKey(), entry.getValue());
                (Trainability.changesInFit(layer, entry.getKey()) ? trainable : frozen).add(p);
            }
        }
        return new TrainableParameters(trainable, frozen, dataType);
    }

    /** @return n, the number of trainable values */
    public long length() {
        return length;
    }

    /** @return the network's data type, that of {@link #values()} */
    public DataType dataType() {
        return dataType;
    }

    /** @return "layer/key" of every trainable parameter, in vector order */
    public List<String> trainableNames() {
        return trainable.stream().map(p -> p.layer() + "/" + p.key()).toList();
    }

    /** @return number of frozen values */
    public long frozenLength() {
        return frozen.stream().mapToLong(p -> p.view().length()).sum();
    }

    /** @return a copy of the trainable values, [1, n] */
    public INDArray values() {
        INDArray out = Nd4j.create(dataType, 1, length);
        long offset = 0;
        for (Parameter p : trainable) {
            long n = p.view().length();
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n)).assign(p.view().reshape(p.view().ordering(), 1, n));
            offset += n;
        }
        return out;
    }

    /**
     * Writes {@code values} [1, n] (or [n]) into the trainable parameters, in place.
     *
     * @throws IllegalArgumentException when the length differs from {@link #length()}
     */
    public void assign(INDArray values) {
        if (values.length() != length) {
            throw new IllegalArgumentException("Got " + values.length() + " trainable values, but the network has "
                    + length + " (" + trainable.size() + " arrays): pass the values of the same network");
        }
        INDArray flat = values.reshape(1, length);
        long offset = 0;
        for (Parameter p : trainable) {
            long n = p.view().length();
            INDArray part = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n));
            p.view().assign(part.reshape(p.view().ordering(), p.view().shape()));
            offset += n;
        }
    }

    /**
     * @return SHA-256 (hex) of the raw bytes of every frozen parameter, in network order: equal
     * fingerprints mean bit-identical frozen weights
     */
    public String frozenFingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Parameter p : frozen) {
                digest.update((p.layer() + "/" + p.key()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(p.view().dup('c').data().asBytes());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
