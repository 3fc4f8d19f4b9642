package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.Adapter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A fully validated adapter, ready to copy into one adapted graph ({@link GraphAdapterApplier#plan}): pairs of
 * (array of a trainable variable: α [1, k] and β [1, l], or LoRA's A [fanIn, r] and B [r, nOut]; value in that
 * variable's data type and shape). {@link #apply()} only assigns, so it cannot fail half-way on bad input.
 */
public final class GraphAdapterPlan {

    /** One variable to overwrite. */
    record Assignment(String variable, INDArray target, INDArray value) {
    }

    private final Adapter adapter;
    private final List<Assignment> assignments;

    GraphAdapterPlan(Adapter adapter, List<Assignment> assignments) {
        this.adapter = adapter;
        this.assignments = List.copyOf(assignments);
    }

    /** @return the adapter this plan copies in */
    public Adapter adapter() {
        return adapter;
    }

    /** Copies every α and β (LoRA: A and B) into the graph's variables. */
    public void apply() {
        for (Assignment a : assignments) {
            a.target().assign(a.value());
        }
    }
}
