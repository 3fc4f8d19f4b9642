package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.merge.MergeWorkspace;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
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
 * This costs one extra copy of every NOLA layer's W in memory.
 *
 * <p>Memory: the copies of W₀ and the β buffers [1, l] are made once, here. {@link #merge()}
 * computes each layer's s·A·B in the thread's {@link MergeWorkspace}, which is reused layer after
 * layer and merge after merge, and writes W in place; {@link #unmerge()} only copies values. No
 * cycle leaves native memory for the garbage collector, so any number of cycles runs in bounded
 * memory with default JVM and JavaCPP settings.
 */
public final class InPlaceMerger {

    private final List<Layer> layers;
    private final List<INDArray> pristineWeights = new ArrayList<>();
    private final List<INDArray> betaAtMerge = new ArrayList<>();
    private boolean merged;

    /**
     * Copies the current W of every NOLA layer of {@code net}, which must not be merged, and fixes
     * {@code net}'s base fingerprint before any merge can change W.
     */
    public InPlaceMerger(AdaptedNetwork net) {
        net.fingerprint();
        this.layers = net.adapterLayers();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Layer layer : layers) {
                pristineWeights.add(layer.getParam(NolaLayer.WEIGHT_KEY).dup());
                betaAtMerge.add(layer.getParam(secondKey(layer)).dup());
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
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            LowRankLayer conf = LayerAdapterKind.config(layer);
            try (MemoryWorkspace ignored = MergeWorkspace.open()) {
                conf.update(layer.paramTable()).mergeInto(pristineWeights.get(i),
                        layer.getParam(NolaLayer.WEIGHT_KEY));
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            INDArray beta = layers.get(i).getParam(secondKey(layers.get(i)));
            betaAtMerge.get(i).assign(beta);
            beta.assign(0);
        }
        merged = true;
    }

    /**
     * @return β's key in a NOLA layer, B's in a LoRA layer: the factor whose 0 makes ΔW = 0
     */
    private static String secondKey(Layer layer) {
        return LayerAdapterKind.of(layer.conf().getLayer()).secondKey();
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
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            layer.getParam(NolaLayer.WEIGHT_KEY).assign(pristineWeights.get(i));
            layer.getParam(secondKey(layer)).assign(betaAtMerge.get(i));
        }
        merged = false;
    }
}
