package io.github.nola4j.zoo.graph;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Folds the active adapter of a graph adapted by {@link NolaGraphTransfer} into its frozen weights, and back out
 * exactly, as the layers' {@code InPlaceMerger}:
 * <pre>
 *   merge:    W ← W₀ + s·ΔW (the value of W's merged variable, W's shape);  β ← 0 (LoRA: B ← 0)
 *   unmerge:  W ← W₀ (the pristine copy, bit for bit);  β (LoRA: B) ← its value at merge time
 * </pre>
 * With β = 0 the graph's merged variable is W + 0 = W, so the merged graph computes what the adapted one did
 * (up to float rounding of W₀ + s·ΔW). W₀ is copied once, when this object is made, so the base is never
 * reconstructed by subtracting floats: after any number of cycles W is bit-identical to W₀. This costs one copy
 * of every adapted W. The graph's {@link GraphTransferResult#baseFingerprint()} was taken before any merge,
 * so adapter files saved or checked while merged still name the pristine base. Load or switch adapters only
 * while unmerged ({@link GraphAdapterBank} enforces it).
 */
public final class GraphMerger {

    private final GraphTransferResult graph;
    private final List<INDArray> weights = new ArrayList<>();
    private final List<INDArray> pristine = new ArrayList<>();
    private final List<INDArray> seconds = new ArrayList<>();
    private final List<INDArray> secondAtMerge = new ArrayList<>();
    private final String[] mergedNames;
    private boolean merged;

    /** Copies the current W of every adapted weight of {@code graph}, which must not be merged. */
    public GraphMerger(GraphTransferResult graph) {
        this.graph = graph;
        SameDiff sd = graph.sameDiff();
        mergedNames = graph.adaptedWeights().stream().map(AdaptedWeight::mergedVariable).toArray(String[]::new);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (AdaptedWeight w : graph.adaptedWeights()) {
                INDArray weight = sd.getVariable(w.name()).getArr();
                INDArray second = sd.getVariable(w.trainableVariables().get(1)).getArr();
                weights.add(weight);
                pristine.add(weight.dup());
                seconds.add(second);
                secondAtMerge.add(second.dup());
            }
        }
    }

    /** @return the graph this merger folds into */
    public GraphTransferResult graph() {
        return graph;
    }

    /** @return true between {@link #merge()} and {@link #unmerge()} */
    public boolean isMerged() {
        return merged;
    }

    /**
     * Folds s·ΔW of the current α, β into W and sets β (LoRA: B) to 0.
     *
     * @throws IllegalStateException if already merged
     */
    public void merge() {
        if (merged) {
            throw new IllegalStateException("the adapter is already merged into W; call unmerge() first");
        }
        Map<String, INDArray> values = graph.sameDiff().output(Map.of(), mergedNames);
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).assign(values.get(mergedNames[i]));
        }
        for (int i = 0; i < seconds.size(); i++) {
            secondAtMerge.get(i).assign(seconds.get(i));
            seconds.get(i).assign(0);
        }
        merged = true;
    }

    /**
     * Restores the pristine W and the β (LoRA: B) of merge time.
     *
     * @throws IllegalStateException if not merged
     */
    public void unmerge() {
        if (!merged) {
            throw new IllegalStateException("nothing is merged; call merge() first");
        }
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).assign(pristine.get(i));
            seconds.get(i).assign(secondAtMerge.get(i));
        }
        merged = false;
    }
}
