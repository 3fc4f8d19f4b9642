package io.github.nola4j.zoo.graph;

import io.github.nola4j.zoo.AdapterSpec;

import java.util.List;

/**
 * One weight W of the graph rewritten into W + s·ΔW, s·ΔW = A·(s·B) in W's layout.
 *
 * @param name               W's variable name (now a CONSTANT)
 * @param shape              W's shape
 * @param layout             how W is consumed, and so how ΔW [fanIn, nOut] is laid out
 * @param spec               the adapter options of this weight
 * @param fanIn              rows of A
 * @param nOut               columns of B
 * @param trainableVariables NOLA: {α [1, k], β [1, l]}; LoRA: {A [fanIn, r], B [r, nOut]}
 * @param mergedVariable     the variable W + s·ΔW that W's ops now read
 */
public record AdaptedWeight(String name, long[] shape, WeightLayout layout, AdapterSpec spec, long fanIn, long nOut,
                            List<String> trainableVariables, String mergedVariable) {

    public AdaptedWeight {
        shape = shape.clone();
        trainableVariables = List.copyOf(trainableVariables);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return values trained for this weight: k + l (NOLA) or r·(fanIn + nOut) (LoRA) */
    public long trainableParams() {
        return switch (spec.kind()) {
            case NOLA -> (long) spec.numBasesA() + spec.numBasesB();
            case LORA -> (long) spec.rank() * (fanIn + nOut);
        };
    }

    /** @return what LoRA at rank 1 would train for this weight: fanIn + nOut */
    public long loraRank1Params() {
        return fanIn + nOut;
    }
}
