package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaLayer;

import java.util.List;
import java.util.Locale;

/**
 * What a NOLA transfer trains, as PEFT's {@code print_trainable_parameters}: all and trainable
 * parameter counts, the adapted layers, the adapter's size and what LoRA at rank 1 would train
 * for the same layers.
 *
 * @param totalParams          every parameter of the new network (frozen ones included)
 * @param trainableParams      adapterParams + headParams + otherTrainableParams
 * @param adapterParams        NOLA coefficients: Σ (k + l) over adapted layers
 * @param headParams           parameters of the new head (0 when the head is kept)
 * @param otherTrainableParams parameters of layers kept trainable (BatchNorm running statistics excluded)
 * @param adaptedLayers        names of the adapted layers, in network order
 * @param adapterBytes32       adapter size with 32-bit coefficients: 4 · adapterParams
 * @param adapterBytes4        adapter size with 4-bit coefficients and one 32-bit scale per
 *                             coefficient vector: Σ over vectors of ceil(n / 2) + 4
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

    /** Builds the summary from the adapted layer configurations and the other counts. */
    static TrainableSummary of(long totalParams, List<NolaLayer> adapted, long headParams, long otherTrainable) {
        long adapter = 0;
        long bytes4 = 0;
        long lora = 0;
        for (NolaLayer l : adapted) {
            adapter += l.numTrainableParams();
            bytes4 += quantisedBytes(l.getNumBasesA()) + quantisedBytes(l.getNumBasesB());
            lora += l.loraRank1Params();
        }
        List<String> names = adapted.stream().map(NolaLayer::getLayerName).toList();
        return new TrainableSummary(totalParams, adapter + headParams + otherTrainable, adapter, headParams,
                otherTrainable, names, adapter * FLOAT_BYTES, bytes4, lora);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f%n"
                        + "  NOLA coefficients: %,d in %d adapted layers (%,d bytes at 32 bits, %,d bytes at 4 bits);"
                        + " LoRA rank 1 on the same layers: %,d (%.1fx more)%n  head: %,d, other trainable: %,d%n"
                        + "  adapted layers: %s",
                trainableParams, totalParams, trainablePercent(), adapterParams, adaptedLayers.size(), adapterBytes32,
                adapterBytes4, loraRank1Params, adapterParams == 0 ? 0.0 : (double) loraRank1Params / adapterParams,
                headParams, otherTrainableParams, adaptedLayers);
    }
}
