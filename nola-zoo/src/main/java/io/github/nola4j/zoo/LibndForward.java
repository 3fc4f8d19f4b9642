package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.Supplier;

/**
 * The forward pass of a frozen runtime ({@link FrozenForwardRuntime}, {@link FrozenInferenceRuntime}) on the
 * wrapped layer's libnd4j computation ({@link FrozenComputation#of}), when it has one.
 */
final class LibndForward {

    private final Layer inside;
    private final FrozenComputation computation;
    private final boolean passesGradientDown;

    /**
     * @param inside             the wrapped DL4J layer, whose input the runtime sets
     * @param passesGradientDown whether the runtime's backward pass asks for the input gradient, so that a
     *                           training forward keeps what that needs
     */
    LibndForward(Layer inside, boolean passesGradientDown) {
        this.inside = inside;
        this.computation = FrozenComputation.of(inside);
        this.passesGradientDown = passesGradientDown;
    }

    /** @return true when the wrapped layer runs on libnd4j, false when on DL4J's code */
    boolean available() {
        return computation != null;
    }

    /** @return the libnd4j computation; only when {@link #available()} */
    FrozenComputation computation() {
        return computation;
    }

    /**
     * @param dl4j the runtime's DL4J forward pass, run when the layer has no libnd4j computation
     * @return the wrapped layer's output for its current input
     */
    INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr, Supplier<INDArray> dl4j) {
        if (computation == null) {
            return dl4j.get();
        }
        return computation.activate(inside.input(), passesGradientDown && training, workspaceMgr);
    }

    /**
     * Sets {@code input} as the wrapped layer's input, then as {@link #activate(boolean, LayerWorkspaceMgr, Supplier)}.
     */
    INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr, Supplier<INDArray> dl4j) {
        if (computation == null) {
            return dl4j.get();
        }
        inside.setInput(input, workspaceMgr);
        return activate(training, workspaceMgr, dl4j);
    }
}
