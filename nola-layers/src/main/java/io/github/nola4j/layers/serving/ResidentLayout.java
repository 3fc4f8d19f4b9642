package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.adapter.AdapterApplier;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where each value of a {@link ResidentAdapter} sits: the adapter's checked tensors
 * ({@link AdapterApplier#check}: per adapter layer its two coefficient tensors, then its extra tensors) laid end
 * to end in one flat native buffer per data type (one buffer in all for a network of one data type). Value i has
 * its id, its target's shape and data type, and its offset in its type's buffer. Adapters of one base with the
 * same extra tensors have equal layouts, and {@link ResidentAdapters} keeps one instance for all of them.
 *
 * <p>Why not an array per value: each ND4J array, view or not, costs its Java objects, a native data-buffer
 * handle and a shape buffer (about 1 KB in all); a zoo ResNet50 adapter has 106 coefficient vectors, so 1,000
 * adapters held as views (three arrays per reshaped view) kept 300 MB of Java heap live beside their 150 MB of
 * values, and making the views was most of an addition's CPU time.
 */
final class ResidentLayout {

    private final String[] ids;
    private final long[][] shapes;
    private final int[] buffer;
    private final long[] offsets;
    private final DataType[] bufferTypes;
    private final long[] bufferLengths;
    private final int[][] coefficientSlots;
    /** layer → param → slot of its extra tensors, in the adapter's order. */
    private final Map<String, Map<String, Integer>> extraSlots;

    /**
     * @param tensors        the checked tensors of one adapter, as {@link AdapterApplier#check} returns them
     * @param coefficientIds per adapter layer of the base, in network order: the ids of its {first, second} tensor
     * @param extras         the adapter's extra tensors (their layer and parameter key)
     */
    ResidentLayout(List<AdapterApplier.CheckedTensor> tensors, List<String[]> coefficientIds,
                   List<ExtraTensor> extras) {
        int n = tensors.size();
        ids = new String[n];
        shapes = new long[n][];
        buffer = new int[n];
        offsets = new long[n];
        List<DataType> types = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        Map<String, Integer> slotOf = new HashMap<>();
        for (int i = 0; i < n; i++) {
            AdapterApplier.CheckedTensor t = tensors.get(i);
            ids[i] = t.id();
            shapes[i] = t.target().shape();
            int b = types.indexOf(t.target().dataType());
            if (b < 0) {
                b = types.size();
                types.add(t.target().dataType());
                lengths.add(0L);
            }
            buffer[i] = b;
            offsets[i] = lengths.get(b);
            lengths.set(b, offsets[i] + t.values().length);
            slotOf.put(t.id(), i);
        }
        bufferTypes = types.toArray(new DataType[0]);
        bufferLengths = lengths.stream().mapToLong(Long::longValue).toArray();
        coefficientSlots = new int[coefficientIds.size()][];
        for (int l = 0; l < coefficientSlots.length; l++) {
            String[] pair = coefficientIds.get(l);
            coefficientSlots[l] = new int[] {slotOf.get(pair[0]), slotOf.get(pair[1])};
        }
        Map<String, Map<String, Integer>> byLayer = new LinkedHashMap<>();
        for (ExtraTensor t : extras) {
            byLayer.computeIfAbsent(t.layer(), k -> new LinkedHashMap<>()).put(t.param(), slotOf.get(t.id()));
        }
        byLayer.replaceAll((k, v) -> Map.copyOf(v));
        extraSlots = Map.copyOf(byLayer);
    }

    /**
     * @return one flat array per data type of this layout, holding the tensors' values converted to it: each made
     *         outside any workspace by one copy from the Java side
     */
    INDArray[] pack(List<AdapterApplier.CheckedTensor> tensors) {
        INDArray[] out = new INDArray[bufferTypes.length];
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int b = 0; b < out.length; b++) {
                out[b] = flat(tensors, b);
            }
        }
        return out;
    }

    private INDArray flat(List<AdapterApplier.CheckedTensor> tensors, int b) {
        int length = Math.toIntExact(bufferLengths[b]);
        if (bufferTypes[b] == DataType.DOUBLE) {
            double[] all = new double[length];
            for (int i = 0; i < ids.length; i++) {
                if (buffer[i] == b) {
                    float[] v = tensors.get(i).values();
                    for (int j = 0; j < v.length; j++) {
                        all[(int) offsets[i] + j] = v[j];
                    }
                }
            }
            return Nd4j.createFromArray(all);
        }
        float[] all = new float[length];
        for (int i = 0; i < ids.length; i++) {
            if (buffer[i] == b) {
                float[] v = tensors.get(i).values();
                System.arraycopy(v, 0, all, (int) offsets[i], v.length);
            }
        }
        INDArray flat = Nd4j.createFromArray(all);
        return bufferTypes[b] == DataType.FLOAT ? flat : flat.castTo(bufferTypes[b]);
    }

    /** @return a new view of value {@code slot} in {@code buffers}, in its target's shape */
    INDArray view(INDArray[] buffers, int slot) {
        long start = offsets[slot];
        long length = Arrays.stream(shapes[slot]).reduce(1, Math::multiplyExact);
        return buffers[buffer[slot]].get(NDArrayIndex.interval(start, start + length)).reshape('c', shapes[slot]);
    }

    /**
     * @return per adapter layer the values of its {first, second} coefficient tensor, read from {@code buffers} with
     *         one copy per buffer (no array per value)
     */
    double[][][] coefficientValues(INDArray[] buffers) {
        double[][] flat = new double[buffers.length][];
        for (int b = 0; b < buffers.length; b++) {
            flat[b] = buffers[b].data().asDouble();
        }
        double[][][] out = new double[coefficientSlots.length][2][];
        for (int l = 0; l < coefficientSlots.length; l++) {
            for (int j = 0; j < 2; j++) {
                int slot = coefficientSlots[l][j];
                int start = (int) offsets[slot];
                out[l][j] = Arrays.copyOfRange(flat[buffer[slot]], start,
                        start + (int) Arrays.stream(shapes[slot]).reduce(1, Math::multiplyExact));
            }
        }
        return out;
    }

    /** @return the slots of adapter layer {@code layer}'s {first, second} coefficient tensor */
    int[] coefficientSlots(int layer) {
        return coefficientSlots[layer];
    }

    /** @return the number of adapter layers */
    int layers() {
        return coefficientSlots.length;
    }

    /** @return param → slot of the extra tensors of {@code layer}; empty when the adapter has none there */
    Map<String, Integer> extraSlots(String layer) {
        return extraSlots.getOrDefault(layer, Map.of());
    }

    /** @return the layers with extra tensors */
    Set<String> extraLayers() {
        return extraSlots.keySet();
    }

    /** @return the number of values */
    int size() {
        return ids.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResidentLayout l && Arrays.equals(ids, l.ids) && Arrays.deepEquals(shapes, l.shapes)
                && Arrays.equals(buffer, l.buffer) && Arrays.equals(offsets, l.offsets)
                && Arrays.equals(bufferTypes, l.bufferTypes) && Arrays.deepEquals(coefficientSlots, l.coefficientSlots)
                && extraSlots.equals(l.extraSlots);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(ids), Arrays.hashCode(offsets), Arrays.hashCode(bufferTypes),
                extraSlots);
    }
}
