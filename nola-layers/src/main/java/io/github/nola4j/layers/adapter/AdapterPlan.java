package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A fully validated adapter, ready to copy into one network or adapted SameDiff graph: pairs of
 * (parameter view of the network or array of a graph variable, value in its data type and shape). {@link #apply()} only assigns, so it
 * cannot fail half-way on bad input, and a switch between adapters is k + l numbers per layer
 * plus the extra tensors.
 */
public final class AdapterPlan {

    /**
     * One parameter to overwrite.
     *
     * @param id     "layer/key" or the graph variable's name
     * @param target the array that {@link #apply()} assigns to
     * @param value  the value, in target's data type and shape
     */
    public record Assignment(String id, INDArray target, INDArray value) {
    }

    private final Adapter adapter;
    private final List<Assignment> assignments;

    /** @param assignments every value to copy, validated by the caller (an applier) */
    public AdapterPlan(Adapter adapter, List<Assignment> assignments) {
        this.adapter = adapter;
        this.assignments = List.copyOf(assignments);
    }

    /** @return the adapter this plan copies in */
    public Adapter adapter() {
        return adapter;
    }

    /** @return every (target, value) pair, in the order {@link #apply()} copies them */
    public List<Assignment> assignments() {
        return assignments;
    }

    /** Copies every coefficient and extra tensor into the network. */
    public void apply() {
        for (Assignment a : assignments) {
            a.target().assign(a.value());
        }
    }

    /** @return the number of values {@link #apply()} copies */
    public long numValues() {
        long n = 0;
        for (Assignment a : assignments) {
            n += a.value().length();
        }
        return n;
    }
}
