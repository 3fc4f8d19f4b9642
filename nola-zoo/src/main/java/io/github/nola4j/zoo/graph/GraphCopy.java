package io.github.nola4j.zoo.graph;

import org.nd4j.autodiff.samediff.SameDiff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A copy of a graph for the adapter to rewrite, without training state. {@code SameDiff.dup()} also copies
 * the gradient function and the updater state of a graph that {@code fit} has already trained; after the
 * rewrite those describe the old variables, and {@code fit} fails ("No updater found for variable
 * W/nola/alpha"). Such a graph is copied through SameDiff's own FlatBuffers format without updater
 * state instead, which carries the variables, their values and the ops, and no gradient function.
 */
final class GraphCopy {

    private static final Logger log = LoggerFactory.getLogger(GraphCopy.class);
    private static final String GRADIENT_FUNCTION = "grad";

    private GraphCopy() {
    }

    /** @return a copy of {@code source} that shares no array with it and has never been trained */
    static SameDiff of(SameDiff source) {
        if (!source.isInitializedTraining() && !source.definedFunctionNames().contains(GRADIENT_FUNCTION)) {
            return source.dup();
        }
        log.info("The graph has been trained or differentiated before; copying it through FlatBuffers without its "
                + "gradient function and updater state, which the rewrite would make stale");
        try {
            return SameDiff.fromFlatBuffers(source.asFlatBuffers(false), false);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the graph through SameDiff's FlatBuffers format: "
                    + e.getMessage() + "; adapt the graph before it is first trained, or save and load it", e);
        }
    }
}
