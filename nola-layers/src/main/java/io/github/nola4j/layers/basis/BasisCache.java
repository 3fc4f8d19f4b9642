package io.github.nola4j.layers.basis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Process-wide cache of the frozen random bases, shared by every layer that uses the same basis
 * seed, role, rank, number of bases and data type.
 *
 * <p>A basis family is stored as one matrix {@code M} of shape {@code [rows * r, n]} whose column
 * {@code i} is basis number {@code i}, flattened row-major: {@code M[row * r + j, i] =
 * gaussian(key(seed, role.stream(i)), row * r + j)}. A value does not depend on how many rows
 * were generated, so a layer with {@code fanIn} rows uses the leading {@code fanIn * r} rows of
 * the largest matrix generated so far, as VeRA shares slices of one largest basis. Memory for a
 * whole network is therefore that of its widest layer per family, not the sum over layers.
 *
 * <p>Bases are generated on the host with {@link BasisGenerator} and created as ND4J arrays
 * once, so they move to the device on a CUDA backend. They are never saved: adapter files record
 * the seed and the generator version instead.
 */
public final class BasisCache {

    private static final Logger log = LoggerFactory.getLogger(BasisCache.class);

    /** Identity of a basis family. */
    private record Family(long seed, BasisRole role, int rank, int numBases, DataType dataType) {
    }

    private static final Map<Family, INDArray> FAMILIES = new HashMap<>();

    private BasisCache() {
    }

    /**
     * Returns the bases of one layer as a matrix {@code [rows * rank, numBases]}: column {@code i}
     * is basis {@code i} of shape {@code [rows, rank]}, flattened row-major.
     *
     * @param seed     basis seed
     * @param role     {@link BasisRole#A} (rows = fanIn) or {@link BasisRole#B} (rows = nOut)
     * @param rank     r
     * @param numBases k for A, l for B
     * @param rows     fanIn or nOut of the layer
     * @param dataType data type of the network
     * @return a read-only view (never modify it) into the shared basis family
     */
    public static synchronized INDArray bases(long seed, BasisRole role, int rank, int numBases, long rows,
                                              DataType dataType) {
        Family family = new Family(seed, role, rank, numBases, dataType);
        long needed = rows * rank;
        INDArray full = FAMILIES.get(family);
        if (full == null || full.rows() < needed) {
            full = generate(family, needed);
            FAMILIES.put(family, full);
        }
        if (full.rows() == needed) {
            return full;
        }
        return full.get(NDArrayIndex.interval(0, needed), NDArrayIndex.all());
    }

    /**
     * Generates every family of {@code seed} ahead of time at the given widths, so that layers
     * created afterwards in any order slice one matrix instead of each growing it.
     */
    public static void reserve(long seed, int rank, int numBasesA, int numBasesB, long maxFanIn, long maxNOut,
                               DataType dataType) {
        bases(seed, BasisRole.A, rank, numBasesA, maxFanIn, dataType);
        bases(seed, BasisRole.B, rank, numBasesB, maxNOut, dataType);
    }

    /** @return the bytes held by all cached basis families */
    public static synchronized long bytesHeld() {
        long bytes = 0;
        for (INDArray a : FAMILIES.values()) {
            bytes += a.length() * a.dataType().width();
        }
        return bytes;
    }

    /** Drops every cached family; layers created before keep their own references. */
    public static synchronized void clear() {
        FAMILIES.clear();
    }

    private static INDArray generate(Family f, long totalRows) {
        int n = f.numBases();
        if (totalRows * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Basis family " + f + " would need " + totalRows + " x " + n
                    + " values, more than one Java array holds; reduce rank or the number of bases");
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = BasisGenerator.key(f.seed(), f.role().stream(i));
        }
        long start = System.nanoTime();
        int rows = (int) totalRows;
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (f.dataType() == DataType.DOUBLE) {
                double[] data = new double[rows * n];
                IntStream.range(0, rows).parallel().forEach(e -> {
                    for (int i = 0; i < n; i++) {
                        data[e * n + i] = BasisGenerator.gaussian(keys[i], e);
                    }
                });
                out = Nd4j.createFromArray(data).reshape('c', rows, n);
            } else {
                float[] data = new float[rows * n];
                IntStream.range(0, rows).parallel().forEach(e -> {
                    for (int i = 0; i < n; i++) {
                        data[e * n + i] = (float) BasisGenerator.gaussian(keys[i], e);
                    }
                });
                out = Nd4j.createFromArray(data).reshape('c', rows, n);
                if (f.dataType() != DataType.FLOAT) {
                    out = out.castTo(f.dataType());
                }
            }
        }
        log.debug("Generated basis family {} with {} x {} values in {} ms", f, rows, n,
                (System.nanoTime() - start) / 1_000_000);
        return out;
    }
}
