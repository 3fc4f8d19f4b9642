package io.github.nola4j.zoo;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.attention.AttentionAdapter;
import io.github.nola4j.layers.attention.AttentionProjection;
import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;

/**
 * What a network trains, as PEFT's {@code print_trainable_parameters}: all and trainable
 * parameter counts, the adapted layers, the adapter's size and what LoRA at rank 1 would train
 * for the same layers. {@link #of(Model)} works on any network, restored ones included; DL4J's own
 * {@code summary()} cannot show this for adapter layers (it reads nIn/nOut only from
 * FeedForwardLayer configurations and counts frozen parameters only in its FrozenLayer class).
 *
 * @param totalParams          every parameter of the new network (frozen ones included)
 * @param trainableParams      adapterParams + headParams + otherTrainableParams
 * @param adapterParams        adapter parameters: Σ (k + l) over NOLA layers, Σ r·(fanIn + nOut) over LoRA layers
 * @param headParams           trainable parameters of the head: the output layers, or below them the nearest
 *                             layers with parameters (0 when the head is frozen)
 * @param otherTrainableParams parameters of layers kept trainable (BatchNorm running statistics excluded)
 * @param adaptedLayers        names of the adapted layers, in network order
 * @param adapterBytes32       adapter size with 32-bit coefficients: 4 · adapterParams
 * @param adapterBytes4        adapter size with 4-bit coefficients and one 32-bit scale per
 *                             coefficient vector (α, β; LoRA's A, B): Σ over vectors of ceil(n / 2) + 4
 * @param loraRank1Params      LoRA rank 1 on the same layers: Σ (fanIn + nOut)
 */
public record TrainableSummary(long totalParams, long trainableParams, long adapterParams, long headParams,
                               long otherTrainableParams, List<String> adaptedLayers, long adapterBytes32,
                               long adapterBytes4, long loraRank1Params) {

    /** Bytes of one 32-bit float. */
    private static final int FLOAT_BYTES = 4;

    public TrainableSummary {
        adaptedLayers = List.copyOf(adaptedLayers);
    }

    /** @return trainable / total, in percent */
    public double trainablePercent() {
        return totalParams == 0 ? 0 : 100.0 * trainableParams / totalParams;
    }

    /** @return bytes of one coefficient vector of n values at 4 bits with a 32-bit scale */
    static long quantisedBytes(long n) {
        return (n + 1) / 2 + FLOAT_BYTES;
    }

    /**
     * The summary of any network, adapted by {@link NolaTransfer}, restored, or built by hand: a
     * parameter trains by {@link Trainability#trains(Layer, String)} (not in frozen layers, not the frozen
     * W and b of adapter layers, not BatchNorm running statistics). Adapter layers ({@code NolaDense},
     * {@code NolaConv2d}, {@code LoraDense}, {@code LoraConv2d}) count as adapter parameters; the
     * trainable parameters of the network's head (its output layers, or the nearest layers with
     * parameters below them: a new head, or a kept output layer that trains) as the head's; every other trainable parameter as "other trainable". A transfer's
     * {@link TransferResult#summary()} and the summary of its restored or saved copy are therefore equal.
     *
     * @throws IllegalArgumentException for a model that is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static TrainableSummary of(Model network) {
        Set<String> outputs = outputLayers(network);
        long adapter = 0;
        long bytes4 = 0;
        long lora = 0;
        long head = 0;
        long other = 0;
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Layer> e : NetworkEditor.layersOf(network).entrySet()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = e.getValue().conf().getLayer();
            if (conf instanceof AttentionAdapter attention) {
                names.add(e.getKey());
                adapter += attention.numTrainableParams();
                for (AttentionProjection p : attention.getProjections()) {
                    bytes4 += quantisedBytes(e.getValue().getParam(attention.firstKey(p)).length())
                            + quantisedBytes(e.getValue().getParam(attention.secondKey(p)).length());
                }
                lora += attention.loraRank1Params();
                continue;
            }
            if (conf instanceof LowRankLayer lowRank) {
                names.add(e.getKey());
                adapter += lowRank.numTrainableParams();
                bytes4 += lowRank instanceof NolaLayer nola
                        ? quantisedBytes(nola.getNumBasesA()) + quantisedBytes(nola.getNumBasesB())
                        : quantisedBytes(lowRank.fanIn() * lowRank.getRank())
                        + quantisedBytes((long) lowRank.getRank() * lowRank.getNOut());
                lora += lowRank.loraRank1Params();
                continue;
            }
            long trainable = 0;
            for (Map.Entry<String, INDArray> p : e.getValue().paramTable().entrySet()) {
                if (Trainability.trains(e.getValue(), p.getKey())) {
                    trainable += p.getValue().length();
                }
            }
            if (outputs.contains(e.getKey())) {
                head += trainable;
            } else {
                other += trainable;
            }
        }
        return new TrainableSummary(network.numParams(), adapter + head + other, adapter, head, other, names,
                adapter * FLOAT_BYTES, bytes4, lora);
    }

    /**
     * @return the network's head: the last layer with parameters on the single path to its output
     *         ({@link NetworkEditor#defaultHead}, as a transfer chooses it; a zoo SimpleCNN's is its last
     *         convolution, below global pooling and the loss layer); none for a graph with several outputs
     */
    private static Set<String> outputLayers(Model network) {
        try {
            return Set.of(NetworkEditor.forModel(network).defaultHead());
        } catch (IllegalArgumentException noSingleHead) {
            return Set.of();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f%n"
                        + "  adapter parameters: %,d in %d adapted layers (%,d bytes at 32 bits, %,d bytes at 4 bits);"
                        + " LoRA rank 1 on the same layers: %,d (%.1fx more)%n  head: %,d, other trainable: %,d%n"
                        + "  adapted layers: %s",
                trainableParams, totalParams, trainablePercent(), adapterParams, adaptedLayers.size(), adapterBytes32,
                adapterBytes4, loraRank1Params, adapterParams == 0 ? 0.0 : (double) loraRank1Params / adapterParams,
                headParams, otherTrainableParams, adaptedLayers);
    }
}
