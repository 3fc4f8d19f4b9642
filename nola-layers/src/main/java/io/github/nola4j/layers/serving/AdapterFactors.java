package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.FamilyFactors;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * <p>Thread-safe: additions that build at once take turns per family (each family's arrays are reused); a
 * request never takes these locks (its batch thread builds a missing layer by {@link FactorCache#update}).
 */
final class AdapterFactors {

    /** One family: its arithmetic and, per member, the adapter layer's index. */
    private record Family(FamilyFactors factors, int[] layers) {
    }

    private final List<Layer> layers;
    private final List<Family> families = new ArrayList<>();
    private final List<Integer> others = new ArrayList<>();

    /** @param layers the base's adapter layers, in network order */
    AdapterFactors(List<Layer> layers) {
        this.layers = List.copyOf(layers);
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

    /** @return per adapter layer, in network order, A and s·B of {@code adapter}: new arrays outside the workspaces */
    LowRankUpdate[] build(ResidentAdapter adapter) {
        LowRankUpdate[] out = new LowRankUpdate[layers.size()];
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Family family : families) {
                FamilyFactors f = family.factors();
                synchronized (family) {
                    for (int m = 0; m < family.layers().length; m++) {
                        INDArray[] coefficients = adapter.coefficients(family.layers()[m]);
                        f.setCoefficients(m, coefficients[0], coefficients[1]);
                    }
                    f.compute();
                    for (int m = 0; m < family.layers().length; m++) {
                        LowRankLayer conf = (LowRankLayer) layers.get(family.layers()[m]).conf().getLayer();
                        out[family.layers()[m]] = new LowRankUpdate(conf.shape(), conf.weightShape(),
                                f.a(m).dup('c'), f.b(m));
                    }
                }
            }
        }
        for (int i : others) {
            out[i] = FactorCache.build(adapter, i, layers.get(i));
        }
        return out;
    }

    /** @return the number of GEMMs a build runs for its NOLA layers */
    int products() {
        return families.stream().mapToInt(f -> f.factors().groups()).sum();
    }
}
