package io.github.nola4j.layers.serving;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * One adapter held in memory for serving, validated against the base and decoded once: per adapter
 * layer its two trainable tensors (NOLA: α [1, k], β [1, l], converted to the layer's
 * parametrisation; LoRA: A, B) in the network's data type, and the parameters it replaces in full
 * in other layers (its head, trainable BatchNorm), by layer name and parameter key. Immutable; the
 * factors built from it live in the {@link FactorCache}, not here.
 *
 * @param name         the name it is served under
 * @param task         the task recorded in its file
 * @param coefficients per adapter layer, in network order: {first, second} trainable tensor
 * @param extras       layer name → parameter key → value, in the layer's shape and data type
 */
public record ResidentAdapter(String name, String task, List<INDArray[]> coefficients,
                              Map<String, Map<String, INDArray>> extras) {

    /** @return the bytes of its coefficients and extra tensors */
    public long bytes() {
        long n = 0;
        for (INDArray[] pair : coefficients) {
            n += bytes(pair[0]) + bytes(pair[1]);
        }
        for (Map<String, INDArray> layer : extras.values()) {
            for (INDArray v : layer.values()) {
                n += bytes(v);
            }
        }
        return n;
    }

    /** @return true when it replaces parameters of layer {@code layerName} */
    public boolean replaces(String layerName) {
        return extras.containsKey(layerName);
    }

    private static long bytes(INDArray a) {
        return a.length() * a.dataType().width();
    }
}
