package io.github.nola4j.layers.ops;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;

/**
 * Maps DL4J's activation objects to the {@link Activation} values that have a SameDiff form.
 */
public final class ActivationMapping {

    private ActivationMapping() {
    }

    /**
     * @param fn        an activation such as a DenseLayer's {@code getActivationFn()}
     * @param layerName used in the error message
     * @return the {@link Activation} whose function equals {@code fn}
     * @throws IllegalArgumentException when none does (for example a custom or re-parameterised one)
     */
    public static Activation toEnum(IActivation fn, String layerName) {
        if (fn == null) {
            return null;
        }
        for (Activation a : Activation.values()) {
            IActivation candidate;
            try {
                candidate = a.getActivationFunction();
            } catch (RuntimeException unsupported) {
                continue;
            }
            if (candidate.equals(fn)) {
                return a;
            }
        }
        throw new IllegalArgumentException("Layer \"" + layerName + "\": activation " + fn
                + " has no SameDiff form in NOLA layers; use one of " + java.util.Arrays.toString(Activation.values())
                + " with its default settings");
    }
}
