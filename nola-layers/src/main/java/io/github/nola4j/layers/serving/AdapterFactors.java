package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.FamilyFactors;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds every factor of one adapter at once, for the base's adapter layers: the NOLA layers of each basis family
 * (same seed, r, k, l, data type) with one GEMM per group of layers with equal basis rows ({@link FamilyFactors},
 * the training step's arithmetic: F = c·Q·Mᵀ, Q [layers, k] their α (β), M the family's leading [rows·r, k] bases),
 * instead of one pass over the bases per layer; any other adapter layer (LoRA) by its own
 * {@link LowRankLayer#update}. The factors equal the per-layer build's to rounding (one GEMM over several rows
 * against one product per row).
 *
 * <p>Thread-safe: a build shares nothing mutable (each makes its own arrays) and takes no lock; a request's batch
 * thread builds a missing layer by {@link FactorCache#update}, per layer.
 */
final class AdapterFactors {

    /** One family: its arithmetic and, per member, the adapter layer's index. */
    private record Family(FamilyFactors factors, int[] layers) {
    }

    private final List<Layer> layers;
    private final List<Family> families = new ArrayList<>();
    private final List<Integer> others = new ArrayList<>();
    private final long bytes;

    /** @param layers the base's adapter layers, in network order */
    AdapterFactors(List<Layer> layers) {
        this.layers = List.copyOf(layers);
        long n = 0;
        for (Layer layer : layers) {
            LowRankLayer conf = (LowRankLayer) layer.conf().getLayer();
            n += (conf.fanIn() + conf.getNOut()) * conf.getRank() * layer.params().dataType().width();
        }
        this.bytes = n;
        Map<List<Object>, List<Integer>> byFamily = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer.conf().getLayer() instanceof NolaLayer conf) {
                byFamily.computeIfAbsent(FamilyFactors.familyKey(conf.nolaFactors(), layer.params().dataType()),
                        k -> new ArrayList<>()).add(i);
            } else {
                others.add(i);
            }
        }
        for (List<Integer> members : byFamily.values()) {
            List<NolaFactors> confs = new ArrayList<>();
            for (int i : members) {
                confs.add(((NolaLayer) layers.get(i).conf().getLayer()).nolaFactors());
            }
            families.add(new Family(new FamilyFactors(confs, layers.get(members.get(0)).params().dataType()),
                    members.stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    /**
     * @return per adapter layer, in network order, A and s·B of {@code adapter}: new arrays outside the workspaces (a
     *         family's factors are views of one array per group, {@link FamilyFactors#factorsOf})
     */
    LowRankUpdate[] build(ResidentAdapter adapter) {
        LowRankUpdate[] out = new LowRankUpdate[layers.size()];
        double[][][] values = families.isEmpty() ? null : adapter.coefficientValues();
        for (Family family : families) {
            int[] members = family.layers();
            double[][] alphas = new double[members.length][];
            double[][] betas = new double[members.length][];
            for (int m = 0; m < members.length; m++) {
                alphas[m] = values[members[m]][0];
                betas[m] = values[members[m]][1];
            }
            INDArray[][] factors = family.factors().factorsOf(alphas, betas);
            for (int m = 0; m < members.length; m++) {
                LowRankLayer conf = (LowRankLayer) layers.get(members[m]).conf().getLayer();
                out[members[m]] = new LowRankUpdate(conf.shape(), conf.weightShape(), factors[m][0], factors[m][1]);
            }
        }
        for (int i : others) {
            out[i] = FactorCache.build(adapter, i, layers.get(i));
        }
        return out;
    }

    /** @return the bytes of one adapter's factors: Σ (fanIn + nOut)·r values over the adapter layers */
    long bytes() {
        return bytes;
    }

    /** @return the number of GEMMs a build runs for its NOLA layers */
    int products() {
        return families.stream().mapToInt(f -> f.factors().groups()).sum();
    }
}
