package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.zoo.AdapterKind;
import io.github.nola4j.zoo.AdapterSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rewrites weights of a graph in place (the graph is {@link NolaGraphTransfer}'s copy, never the user's):
 * <pre>
 *   W  -&gt;  W' = W + s·ΔW        every op that read W reads W' (same input slot)
 *   NOLA: s·ΔW from α [1, k] (start: {@link NolaFactors#initialAlpha}) and β [1, l] (start: 0)
 *   LoRA: s·ΔW = A·(s·B), A [fanIn, r] (start: {@link LoraLayer#initialA}) and B [r, nOut] (start: 0)
 * </pre>
 * so W' = W + 0 = W exactly at step 0. New variables are named {@code W/nola/alpha}, {@code W/nola/beta},
 * {@code W/nola/basesA}, {@code W/nola/basesB} and {@code W/nola/merged} (LoRA: {@code W/lora/A},
 * {@code W/lora/B}, {@code W/lora/merged}). {@link #freezeAllBut} then turns every other VARIABLE into a
 * CONSTANT: SameDiff's {@code fit} updates, and regularises, VARIABLEs only.
 */
final class GraphRewriter {

    private GraphRewriter() {
    }

    /** Rewrites {@code weight} of {@code sd} with the adapter {@code spec}. */
    static AdaptedWeight adapt(SameDiff sd, GraphWeight weight, AdapterSpec spec) {
        String name = weight.name();
        long[] shape = weight.shape();
        DataType dt = weight.dataType();
        WeightLayout layout = weight.layout();
        long fanIn = layout.fanIn(shape);
        long nOut = layout.nOut(shape);
        List<String> readers = sd.getVariables().get(name).getInputsForOp().stream()
                .filter(sd.getOps()::containsKey).distinct().toList(); // see GraphWeights.scan
        String prefix = name + (spec.kind() == AdapterKind.NOLA ? "/nola/" : "/lora/");
        SDVariable[] factors;
        List<String> trainable;
        if (spec.kind() == AdapterKind.NOLA) {
            NolaFactors f = NolaFactors.of(spec.basisSeed(), spec.rank(), spec.numBasesA(), spec.numBasesB(), fanIn,
                    nOut, spec.scale(), spec.quantizationBits());
            requireFree(sd, prefix, "alpha", "beta", "basesA", "basesB", "merged");
            SDVariable alpha = sd.var(prefix + "alpha", f.initialAlpha(dt));
            SDVariable beta = sd.var(prefix + "beta", Nd4j.zeros(dt, 1, spec.numBasesB()));
            factors = f.define(sd, alpha, beta, dt, prefix + "bases");
            trainable = List.of(alpha.name(), beta.name());
        } else {
            requireFree(sd, prefix, "A", "B", "merged");
            SDVariable a = sd.var(prefix + "A", LoraLayer.initialA(spec.basisSeed(), fanIn, spec.rank(), dt));
            SDVariable b = sd.var(prefix + "B", Nd4j.zeros(dt, spec.rank(), nOut));
            factors = LoraLayer.defineScaledFactors(a, b, spec.scale());
            trainable = List.of(a.name(), b.name());
        }
        SDVariable w = sd.getVariable(name);
        SDVariable merged = w.add(prefix + "merged", layout.delta(factors[0], factors[1], shape));
        for (String opName : readers) {
            SameDiffOp op = sd.getOps().get(opName);
            List<String> inputs = op.getInputsToOp();
            for (int i = 0; i < inputs.size(); i++) {
                if (name.equals(inputs.get(i))) {
                    sd.replaceArgFor(i, merged, op.getOp());
                }
            }
        }
        return new AdaptedWeight(name, shape, layout, spec, fanIn, nOut, trainable, merged.name());
    }

    /** Turns every VARIABLE of {@code sd} not named in {@code trainable} into a CONSTANT. */
    static void freezeAllBut(SameDiff sd, Set<String> trainable) {
        List<SDVariable> frozen = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !trainable.contains(v.name())) {
                frozen.add(v);
            }
        }
        if (!frozen.isEmpty()) {
            sd.convertToConstants(frozen);
        }
    }

    private static void requireFree(SameDiff sd, String prefix, String... suffixes) {
        for (String s : suffixes) {
            if (sd.hasVariable(prefix + s)) {
                throw new IllegalArgumentException("The graph already has a variable \"" + prefix + s + "\", the name "
                        + "the adapter gives a new variable of this weight; was the graph adapted before? Adapt the "
                        + "base graph, or rename that variable");
            }
        }
    }
}
