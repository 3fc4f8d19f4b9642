package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.merge.MergeWorkspace;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds the active adapter into the frozen weights for inference, and back out exactly.
 * <pre>
 *   merge:    W ← W₀ + s·ΔW in W's layout ({@link LowRankUpdate#mergeInto});  β ← 0 (LoRA: B ← 0)
 *   unmerge:  W ← W₀ (the pristine copy, bit for bit);  β (LoRA: B) ← its value at merge time
 * </pre>
 * With β = 0 (LoRA: B = 0) the low-rank branch adds nothing, so the merged network computes the same function
 * (up to float rounding of W₀ + s·A·B) with one weight per layer instead of two factors.
 * W₀ is copied once, when this object is made, so the pristine base is never reconstructed by
 * subtracting floats: after any number of merge / unmerge cycles W is bit-identical to W₀.
 * This costs one extra copy of every adapted W in memory (a NOLA or LoRA layer's, an attention projection's).
 *
 * <p>Memory: the copies of W₀ and the β buffers [1, l] are made once, here. {@link #merge()}
 * computes each layer's s·A·B in the thread's {@link MergeWorkspace}, which is reused layer after
 * layer and merge after merge, and writes W in place; {@link #unmerge()} only copies values. No
 * cycle leaves native memory for the garbage collector, so any number of cycles runs in bounded
 * memory with default JVM and JavaCPP settings.
 */
public final class InPlaceMerger {

    private final List<AdaptedNetworkWeight> weights;
    private final List<INDArray> pristineWeights = new ArrayList<>();
    private final List<INDArray> betaAtMerge = new ArrayList<>();
    private boolean merged;

    /**
     * Copies the current W of every adapted weight ({@link AdaptedNetworkWeight}) of {@code net}, which must not be merged, and fixes
     * {@code net}'s base fingerprint before any merge can change W.
     */
    public InPlaceMerger(AdaptedNetwork net) {
        net.fingerprint();
        this.weights = net.adaptedWeights();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (AdaptedNetworkWeight weight : weights) {
                pristineWeights.add(weight.weight().dup());
                betaAtMerge.add(weight.second().dup());
            }
        }
    }

    /** @return true between {@link #merge()} and {@link #unmerge()} */
    public boolean isMerged() {
        return merged;
    }

    /**
     * Folds s·A·B of the current α, β into W and sets β to 0.
     *
     * @throws IllegalStateException if already merged
     */
    public void merge() {
        if (merged) {
            throw new IllegalStateException("the adapter is already merged into W; call unmerge() first");
        }
        for (int i = 0; i < weights.size(); i++) {
            AdaptedNetworkWeight weight = weights.get(i);
            try (MemoryWorkspace ignored = MergeWorkspace.open()) {
                weight.update().mergeInto(pristineWeights.get(i), weight.weight());
            }
        }
        for (int i = 0; i < weights.size(); i++) {
            INDArray beta = weights.get(i).second();
            betaAtMerge.get(i).assign(beta);
            beta.assign(0);
        }
        merged = true;
    }

    /**
     * Restores the pristine W and the β of merge time.
     *
     * @throws IllegalStateException if not merged
     */
    public void unmerge() {
        if (!merged) {
            throw new IllegalStateException("nothing is merged; call merge() first");
        }
        for (int i = 0; i < weights.size(); i++) {
            AdaptedNetworkWeight weight = weights.get(i);
            weight.weight().assign(pristineWeights.get(i));
            weight.second().assign(betaAtMerge.get(i));
        }
        merged = false;
    }
}
