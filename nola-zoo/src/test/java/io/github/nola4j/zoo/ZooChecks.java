package io.github.nola4j.zoo;

import io.github.nola4j.layers.LowRankLayer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks every zoo transfer must pass after it is built: two fit steps move the coefficients of
 * its lowest adapted layer (or its head) and leave every frozen parameter bit-identical, and a copy of
 * the network as ModelSerializer saves it takes the next step to the same bits.
 */
final class ZooChecks {

    /** Networks up to this many parameters go through a ModelSerializer file; larger ones are rebuilt from
     *  the same three parts in memory (writing 34 M doubles took 54 s). */
    private static final long FILE_ROUND_TRIP_PARAMS = 5_000_000;

    private ZooChecks() {
    }

    /** @return a batch of {@code batch} uniform random inputs of {@code shape} (without the batch axis), seed 3 */
    static INDArray input(DataType type, int batch, long... shape) {
        long[] full = new long[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Nd4j.getRandom().setSeed(3);
        return Nd4j.rand(type, full);
    }

    /** @return labels shaped like the network's output, one-hot along dimension 1 (YOLO: no objects) */
    static INDArray labels(Model net, INDArray x, int classes) {
        INDArray out = net instanceof MultiLayerNetwork mln ? mln.output(x) : ((ComputationGraph) net).outputSingle(x);
        org.deeplearning4j.nn.api.Layer[] layers = Fixtures.layersOf(net);
        if (layers[layers.length - 1].conf().getLayer() instanceof Yolo2OutputLayer) {
            return Nd4j.zeros(x.dataType(), out.size(0), 4 + classes, out.size(2), out.size(3));
        }
        INDArray y = Nd4j.zeros(x.dataType(), out.shape());
        for (int i = 0; i < out.size(0); i++) {
            y.get(NDArrayIndex.point(i), NDArrayIndex.point(i % out.size(1))).assign(1);
        }
        return y;
    }

    static void fit(Model m, DataSet d) {
        if (m instanceof MultiLayerNetwork mln) {
            mln.fit(d);
        } else {
            ((ComputationGraph) m).fit(d);
        }
    }

    /**
     * Fits {@code r}'s network twice on {@code d}; asserts every parameter that is not a coefficient
     * (decided by the layer's type, {@link LowRankLayer#isFrozen}, never by a name) and not the new
     * head's stayed bit-identical, and the lowest adapted layer's coefficients (the head's, when nothing
     * is adapted) moved, so gradients reached it through every frozen layer above it, with a finite loss.
     *
     * @return the coefficients that moved, as "layer/key"
     */
    static List<String> assertTwoStepsTrainOnlyTheAdapters(String name, TransferResult<? extends Model> r, DataSet d) {
        Model net = r.network();
        Map<String, INDArray> before = Fixtures.snapshot(Fixtures.layersOf(net));
        fit(net, d);
        fit(net, d);
        assertTrue(Double.isFinite(net.score()), name + ": the loss after two steps is " + net.score()
                + "; a network that computes NaN moves every parameter and proves nothing (calibrate BatchNorm)");
        List<String> moved = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer layer : Fixtures.layersOf(net)) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            String layerName = conf.getLayerName();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                String id = layerName + "/" + p.getKey();
                boolean same = Fixtures.bitIdentical(before.get(id), p.getValue());
                boolean trains = conf instanceof LowRankLayer lowRank ? !lowRank.isFrozen(p.getKey())
                        : layerName.equals(r.headLayer());
                if (trains && !same) {
                    moved.add(id);
                }
                assertTrue(trains || same, name + ": frozen parameter " + id + " ("
                        + conf.getClass().getSimpleName() + ") changed in fit()");
            }
        }
        String lowest = r.adaptedLayers().isEmpty() ? r.headLayer() : r.adaptedLayers().get(0);
        assertTrue(moved.stream().anyMatch(id -> id.startsWith(lowest + "/")), name + ": the coefficients of the "
                + "lowest trained layer " + lowest + " did not move, so no gradient reached it through the frozen "
                + "layers; moved: " + moved);
        return moved;
    }

    /**
     * A copy of a network in training as ModelSerializer saves it (configuration JSON, parameters,
     * updater state) takes the next step to the same bits as the network itself: the file holds every
     * state that decides how the network trains. Small networks go through a real file; larger ones
     * are rebuilt from those three parts in memory, as {@code ModelSerializer.restore*} rebuilds them.
     */
    static void assertSavedCopyTrainsOnIdentically(String name, Model net, DataSet d) {
        Model copy = net.numParams() <= FILE_ROUND_TRIP_PARAMS ? throughFile(name, net) : rebuilt(net);
        Nd4j.getRandom().setSeed(11); // the same dropout masks for both
        fit(net, d);
        Nd4j.getRandom().setSeed(11);
        fit(copy, d);
        assertTrue(Fixtures.bitIdentical(net.params(), copy.params()), name + ": a saved copy trained to "
                + "other parameters, by up to " + net.params().sub(copy.params()).amaxNumber());
        copy.close();
    }

    private static Model throughFile(String name, Model net) {
        try {
            File file = File.createTempFile("nola-zoo-" + name.replaceAll("[^A-Za-z0-9]", "-"), ".zip");
            file.deleteOnExit();
            ModelSerializer.writeModel(net, file, true);
            Model copy = net instanceof MultiLayerNetwork ? ModelSerializer.restoreMultiLayerNetwork(file, true)
                    : ModelSerializer.restoreComputationGraph(file, true);
            Files.delete(file.toPath());
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ModelSerializer.restore's steps without the file: configuration from its JSON, init with the parameters,
     *  updater state set */
    private static Model rebuilt(Model net) {
        if (net instanceof MultiLayerNetwork mln) {
            MultiLayerNetwork copy = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(mln.getLayerWiseConfigurations()
                    .toJson()));
            copy.init(mln.params().dup(), false);
            INDArray state = mln.getUpdater().getStateViewArray();
            if (state != null) {
                copy.getUpdater().setStateViewArray(copy, state.dup(), false);
            }
            return copy;
        }
        ComputationGraph cg = (ComputationGraph) net;
        ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(cg.getConfiguration()
                .toJson()));
        copy.init(cg.params().dup(), false);
        INDArray state = cg.getUpdater().getStateViewArray();
        if (state != null) {
            copy.getUpdater().setStateViewArray(state.dup());
        }
        return copy;
    }
}
