package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A fully validated adapter, ready to copy into one network: pairs of (parameter view of the
 * network, value in the network's data type and shape). {@link #apply()} only assigns, so it
 * cannot fail half-way on bad input, and a switch between adapters is k + l numbers per layer
 * plus the extra tensors.
 */
public final class AdapterPlan {

    /** One parameter to overwrite. */
    record Assignment(String id, INDArray target, INDArray value) {
    }

    private final Adapter adapter;
    private final List<Assignment> assignments;

    AdapterPlan(Adapter adapter, List<Assignment> assignments) {
        this.adapter = adapter;
        this.assignments = List.copyOf(assignments);
    }

    /** @return the adapter this plan copies in */
    public Adapter adapter() {
        return adapter;
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
