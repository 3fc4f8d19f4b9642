package io.github.nola4j.layers.serving;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One adapter held in memory for serving, validated against the base and decoded once: per adapter
 * layer its two trainable tensors (NOLA: α [1, k], β [1, l], converted to the layer's
 * parametrisation; LoRA: A, B) in the network's data type, and the parameters it replaces in full
 * in other layers (its head, trainable BatchNorm), by layer name and parameter key. Immutable; the
 * factors built from it live in the {@link FactorCache}, not here.
 *
 * <p>Memory: the values lie end to end in one flat native buffer (one per data type, {@link ResidentLayout});
 * the layout is shared with every adapter of the same form. An adapter keeps that buffer and one view per
 * extra tensor (read on every pass that runs its head); a coefficient tensor is a view made when asked for
 * ({@link #coefficients}: the factor cache asks when it builds the layer's factors). So it costs its values'
 * bytes and a few ND4J arrays, whatever its number of layers.
 */
public final class ResidentAdapter {

    private final String name;
    private final String task;
    private final ResidentLayout layout;
    private final INDArray[] buffers;
    private final Map<String, Map<String, INDArray>> extras;

    ResidentAdapter(String name, String task, ResidentLayout layout, INDArray[] buffers) {
        this.name = name;
        this.task = task;
        this.layout = layout;
        this.buffers = buffers.clone();
        Map<String, Map<String, INDArray>> byLayer = new HashMap<>();
        for (String layer : layout.extraLayers()) {
            Map<String, INDArray> params = new HashMap<>();
            layout.extraSlots(layer).forEach((param, slot) -> params.put(param, layout.view(this.buffers, slot)));
            byLayer.put(layer, Map.copyOf(params));
        }
        this.extras = Map.copyOf(byLayer);
    }

    /** @return the name it is served under */
    public String name() {
        return name;
    }

    /** @return the task recorded in its file */
    public String task() {
        return task;
    }

    /**
     * @param layer the layer's position among the base's adapter layers, in network order
     * @return {first, second} trainable tensor of that layer: new views of the buffer (read only), in the layer's
     *         parameter shapes
     */
    public INDArray[] coefficients(int layer) {
        int[] slots = layout.coefficientSlots(layer);
        return new INDArray[] {layout.view(buffers, slots[0]), layout.view(buffers, slots[1])};
    }

    /** @return per adapter layer, in network order, the values of its {first, second} trainable tensor (flat) */
    double[][][] coefficientValues() {
        return layout.coefficientValues(buffers);
    }

    /** @return the number of adapter layers it has coefficients for (the base's) */
    public int layers() {
        return layout.layers();
    }

    /**
     * @return parameter key → value of the parameters it replaces in {@code layer}, views of the buffer (read
     *         only) in the layer's shapes; empty when it replaces none there
     */
    public Map<String, INDArray> extras(String layer) {
        return extras.getOrDefault(layer, Map.of());
    }

    /** @return true when it replaces parameters of layer {@code layerName} */
    public boolean replaces(String layerName) {
        return extras.containsKey(layerName);
    }

    /** @return its flat buffers (one per data type), every value a view of one of them; read only */
    public List<INDArray> buffers() {
        return List.of(buffers);
    }

    /** @return the bytes of its coefficients and extra tensors */
    public long bytes() {
        long n = 0;
        for (INDArray b : buffers) {
            n += b.length() * b.dataType().width();
        }
        return n;
    }

    /** Shared by every adapter of the same form; for tests and for {@link ResidentAdapters}' interning. */
    ResidentLayout layout() {
        return layout;
    }

    @Override
    public String toString() {
        return "ResidentAdapter[" + name + ", task " + task + ", " + layout.size() + " tensors, " + bytes()
                + " bytes]";
    }
}
