package io.github.nola4j.zoo.graph;

import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of {@link NolaGraphTransfer#build()}: an adapted copy of the graph and what it trains.
 * Train it with SameDiff's own API; the copy's only VARIABLEs are the adapter's, so any
 * {@code TrainingConfig} trains exactly those:
 * <pre>
 *   r.sameDiff().setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2))
 *       .dataSetFeatureMapping("input").dataSetLabelMapping("label").build());
 *   r.sameDiff().fit(trainIterator, epochs);
 * </pre>
 *
 * @param sameDiff       the adapted graph (the input graph is untouched)
 * @param adaptedWeights the rewritten weights, in graph order
 * @param skipped        weights chosen only by their op that could not be adapted, with the reasons
 * @param baseParams     values of the input graph: its VARIABLEs and its CONSTANTs of more than one value
 * @param baseFingerprint {@code BaseFingerprint.ofWeights} of the adapted weights' frozen values when the graph was
 *                        adapted (so a later merge into W does not change it): what adapter files record and check
 */
public record GraphTransferResult(SameDiff sameDiff, List<AdaptedWeight> adaptedWeights, Map<String, String> skipped,
                                  long baseParams, String baseFingerprint) {

    public GraphTransferResult {
        adaptedWeights = List.copyOf(adaptedWeights);
        skipped = Map.copyOf(skipped);
    }

    /** @return the trainable values: Σ k + l (NOLA) or Σ r·(fanIn + nOut) (LoRA) over the adapted weights */
    public long trainableParams() {
        return adaptedWeights.stream().mapToLong(AdaptedWeight::trainableParams).sum();
    }

    /** @return base values plus trainable values (the frozen bases, which a seed regenerates, not counted) */
    public long totalParams() {
        return baseParams + trainableParams();
    }

    /** @return trainable / total, in percent */
    public double trainablePercent() {
        return totalParams() == 0 ? 0 : 100.0 * trainableParams() / totalParams();
    }

    /** @return what LoRA at rank 1 would train on the same weights: Σ (fanIn + nOut) */
    public long loraRank1Params() {
        return adaptedWeights.stream().mapToLong(AdaptedWeight::loraRank1Params).sum();
    }

    /** @return the names of every trainable variable (α, β per weight; LoRA's A, B), in graph order */
    public List<String> trainableVariables() {
        return adaptedWeights.stream().flatMap(w -> w.trainableVariables().stream()).toList();
    }

    /**
     * @return the trainable variables of weight {@code weightName}: {α, β} (NOLA) or {A, B} (LoRA)
     * @throws IllegalArgumentException when that weight was not adapted
     */
    public List<String> trainableVariablesOf(String weightName) {
        return adaptedWeights.stream().filter(w -> w.name().equals(weightName)).findFirst()
                .map(AdaptedWeight::trainableVariables)
                .orElseThrow(() -> new IllegalArgumentException("Weight \"" + weightName + "\" was not adapted; the "
                        + "adapted weights are " + adaptedWeights.stream().map(AdaptedWeight::name).toList()));
    }

    /** @return the adapted weights' names and shapes, e.g. {@code w1 [3, 5]} */
    public List<String> describeWeights() {
        return adaptedWeights.stream().map(w -> w.name() + " " + Arrays.toString(w.shape())).toList();
    }

    /**
     * @return one line as PEFT's {@code print_trainable_parameters}, e.g.
     *         {@code trainable params: 256 || all params: 12,544 || trainable%: 2.0408 || NOLA on 2 weights
     *         (LoRA r=1 would train 1,032)}
     */
    public String summary() {
        String kinds = adaptedWeights.stream().map(w -> w.spec().kind().name()).distinct()
                .collect(Collectors.joining("+"));
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f || %s on %d "
                        + "weights (LoRA r=1 would train %,d)", trainableParams(), totalParams(), trainablePercent(),
                kinds, adaptedWeights.size(), loraRank1Params());
    }
}
