package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterBank;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.serving.UnknownAdapterException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The baseline the issue measures against: requests serialised through one {@link AdapterBank} with a lock,
 * each activating its adapter, then running the network. One request at a time, no batching across requests.
 */
public final class LockedBankPredictor implements Predictor {

    private final Model network;
    private final AdapterBank bank;
    private long busyNanos;
    private long runs;

    /**
     * @param network     the adapted network, switched in place (use it for nothing else)
     * @param extraLayers layers the adapters replace in full (the head)
     * @param files       name → adapter file
     */
    public LockedBankPredictor(Model network, Collection<String> extraLayers, java.util.Map<String, Path> files)
            throws IOException {
        this.network = network;
        this.bank = new AdapterBank(AdaptedNetwork.of(network), extraLayers, LoadOptions.STRICT);
        for (java.util.Map.Entry<String, Path> e : files.entrySet()) {
            bank.add(e.getKey(), e.getValue());
        }
    }

    @Override
    public synchronized float[][] predict(float[] values, long[] shape, String adapter) {
        if (bank.adapter(adapter) == null) {
            throw new UnknownAdapterException(adapter, bank.names());
        }
        long t0 = System.nanoTime();
        bank.activate(adapter);
        INDArray images = Nd4j.create(values, shape, 'c');
        INDArray out = network instanceof MultiLayerNetwork mln ? mln.output(images, false)
                : ((ComputationGraph) network).outputSingle(false, images);
        float[][] answer = out.toFloatMatrix();
        busyNanos += System.nanoTime() - t0;
        runs++;
        return answer;
    }

    @Override
    public synchronized long busyNanos() {
        return busyNanos;
    }

    @Override
    public synchronized long runs() {
        return runs;
    }

    /** @return the bank's adapter names */
    public List<String> names() {
        return bank.names();
    }

    @Override
    public void close() {
    }
}
