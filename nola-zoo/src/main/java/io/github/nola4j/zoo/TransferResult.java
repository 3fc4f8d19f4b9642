package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Model;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link NolaTransfer#build()}.
 *
 * @param network       the new network: adapted layers, new head, everything else frozen
 * @param adaptedLayers names of the layers replaced by NOLA layers, in network order
 * @param skipped       layers selected by kind but not adapted, with the reason
 * @param headLayer     name of the replaced head, or null when the head was kept
 * @param summary       parameter counts and adapter size
 * @param <M>           MultiLayerNetwork or ComputationGraph
 */
public record TransferResult<M extends Model>(M network, List<String> adaptedLayers, Map<String, String> skipped,
                                              String headLayer, TrainableSummary summary) {
}
