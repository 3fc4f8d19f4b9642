package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds the active adapter into the frozen weights for inference, and back out exactly.
 * <pre>
 *   merge:    W ← W₀ + s·A·B   (conv: (s·A·B)ᵀ reshaped to [nOut, nIn, kH, kW]);  β ← 0
 *   unmerge:  W ← W₀ (the pristine copy, bit for bit);  β ← β at merge time
 * </pre>
 * With β = 0 the NOLA branch adds nothing, so the merged network computes the same function
 * (up to float rounding of W₀ + s·A·B) with one weight per layer instead of two factors.
 * W₀ is copied once, when this object is made, so the pristine base is never reconstructed by
 * subtracting floats: after any number of merge / unmerge cycles W is bit-identical to W₀.
 * This costs one extra copy of every NOLA layer's W in memory.
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
        this.layers = net.nolaLayers();
        for (Layer layer : layers) {
            pristineWeights.add(layer.getParam(NolaLayer.WEIGHT_KEY).dup());
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
        List<INDArray> merged0 = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            NolaLayer conf = AdaptedNetwork.configOf(layer);
            INDArray delta = conf.scaledDelta(layer.paramTable());
            INDArray w0 = pristineWeights.get(i);
            if (conf instanceof NolaConv2d) {
                delta = delta.transpose().dup('c').reshape('c', w0.shape());
            }
            merged0.add(w0.add(delta.castTo(w0.dataType())));
        }
        betaAtMerge.clear();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            INDArray beta = layer.getParam(NolaLayer.BETA_KEY);
            betaAtMerge.add(beta.dup());
            layer.getParam(NolaLayer.WEIGHT_KEY).assign(merged0.get(i));
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
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            layer.getParam(NolaLayer.WEIGHT_KEY).assign(pristineWeights.get(i));
            layer.getParam(NolaLayer.BETA_KEY).assign(betaAtMerge.get(i));
        }
        betaAtMerge.clear();
        merged = false;
    }
}
