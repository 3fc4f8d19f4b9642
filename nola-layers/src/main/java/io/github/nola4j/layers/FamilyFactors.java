package io.github.nola4j.layers;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The arithmetic of one basis family's factors: A and s·B of n NOLA layers of one family (same basis seed, r, k,
 * l and data type, {@link #familyKey}) from one GEMM per group of layers with the same basis rows, and the
 * projection of their factor gradients onto α and β the other way, instead of one pass over the bases per layer.
 * <pre>
 *   group    the members with the same rows R (fanIn for A, nOut for B) and the same scale c
 *            (cA for A, s·cB for B), n members; bases M [R·r, k] (the family's leading R·r rows)
 *   forward  F = c · Q [n, k] · Mᵀ          [n, R·r]   row j = vec(A_j) (A) or vec(B_jᵀ) (B),
 *                                                        Q row j = α_j (β_j), quantised when the layer is
 *   backward G = c · D [n, R·r] · M          [n, k]     D row j = vec(dA_j) (A) or vec(dB_jᵀ) (B)
 * </pre>
 * This is {@link NolaFactors#factors} and {@link NolaFactors#gradients} for n layers at once: M is read once per
 * group instead of once per layer. Used by the training step ({@link FamilyProduct}) and by serving, which builds
 * a new adapter's factors with it.
 *
 * <p>Thread safety: {@link #setCoefficients}, {@link #compute}, {@link #a}, {@link #b}, {@link #setGradients} and
 * {@link #project} reuse one set of arrays (outside DL4J's workspaces), so one caller at a time; {@link #factorsOf}
 * touches none of them and may run from any number of threads at once.
 */
public final class FamilyFactors {

    private final NolaFactors[] members;
    private final FamilyGroup[] groupA;
    private final FamilyGroup[] groupB;
    private final int[] rowA;
    private final int[] rowB;
    private final Map<List<Object>, FamilyGroup> groups = new LinkedHashMap<>();
    private final DataType dataType;
    /** Per member its views of the gradient buffers ({@link #gradientRows}), made at its first hand-over. */
    private final INDArray[][] gradientRows;

    /**
     * @param members  the layers' factors, all of one family ({@link #familyKey} equal)
     * @param dataType the layers' data type
     * @throws IllegalArgumentException if they are not of one family
     */
    public FamilyFactors(List<NolaFactors> members, DataType dataType) {
        int n = members.size();
        this.members = members.toArray(new NolaFactors[0]);
        this.dataType = dataType;
        groupA = new FamilyGroup[n];
        groupB = new FamilyGroup[n];
        rowA = new int[n];
        rowB = new int[n];
        gradientRows = new INDArray[n][];
        List<Object> family = familyKey(members.get(0), dataType);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int m = 0; m < n; m++) {
                NolaFactors f = this.members[m];
                if (!familyKey(f, dataType).equals(family)) {
                    throw new IllegalArgumentException("layer " + m + " has basis family " + familyKey(f, dataType)
                            + ", not " + family + " as layer 0: pass the layers of one family (seed, rank, k, l,"
                            + " data type) together");
                }
                groupA[m] = group(true, f.fanIn(), f.coefficientScaleA(), () -> f.basesA(dataType));
                rowA[m] = groupA[m].size++;
                groupA[m].members.add(m);
                groupB[m] = group(false, f.nOut(), f.scale() * f.coefficientScaleB(), () -> f.basesB(dataType));
                rowB[m] = groupB[m].size++;
                groupB[m].members.add(m);
            }
        }
    }

    /** @return what layers of one family share: basis seed, r, k, l and data type */
    public static List<Object> familyKey(NolaFactors f, DataType dataType) {
        return List.of(f.basisSeed(), f.rank(), f.numBasesA(), f.numBasesB(), dataType);
    }

    private FamilyGroup group(boolean roleA, long rows, double c, Supplier<INDArray> bases) {
        return groups.computeIfAbsent(List.of(roleA, rows, c), k -> new FamilyGroup(bases.get(), c, rows, roleA));
    }

    /** @return the number of member layers */
    public int size() {
        return members.length;
    }

    /** @return the number of groups (GEMMs per {@link #compute}) */
    public int groups() {
        return groups.size();
    }

    /**
     * Sets member {@code m}'s α [1, k] (or [k]) and β [1, l], quantised as {@link NolaFactors#factors} does when the
     * layer trains quantisation-aware. A group of one member reads contiguous values where they are (no copy), so
     * they must keep their values until {@link #compute}.
     */
    public void setCoefficients(int m, INDArray alpha, INDArray beta) {
        int bits = members[m].quantizationBits();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            allocate();
            if (bits > 0) {
                alpha = CoefficientQuantization.quantize(alpha.reshape(1, alpha.length()), bits);
                beta = CoefficientQuantization.quantize(beta.reshape(1, beta.length()), bits);
            }
            setRow(groupA[m], rowA[m], alpha);
            setRow(groupB[m], rowB[m], beta);
        }
    }

    /** Sets row {@code row} of the group's Q; a one-member group reads contiguous values where they are instead. */
    private void setRow(FamilyGroup g, int row, INDArray values) {
        if (g.size == 1 && values.dataType() == dataType && Shape.isContiguousInBuffer(values)) {
            g.source = values;
        } else {
            g.source = null;
            g.coefficients.getRow(row).assign(values.reshape(values.length()));
        }
    }

    /** Makes the arrays that {@link #setCoefficients}, {@link #compute}, {@link #a} and {@link #b} reuse, once. */
    private void allocate() {
        if (groups.values().iterator().next().coefficients != null) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (FamilyGroup g : groups.values()) {
                g.coefficients = Nd4j.create(dataType, g.size, g.bases.columns());
                g.products = Nd4j.create(dataType, g.size, g.bases.rows());
            }
        }
    }

    /** Computes every member's factors from the coefficients set: one GEMM per group. */
    public void compute() {
        allocate();
        groups.values().forEach(FamilyGroup::forward);
    }

    /** @return member {@code m}'s A [fanIn, r]: a view of its group's products, overwritten by the next compute */
    public INDArray a(int m) {
        allocate();
        return rowAsMatrix(groupA[m].products, rowA[m], members[m].fanIn(), members[m].rank());
    }

    /** Writes member {@code m}'s s·B [r, nOut] into {@code out}. */
    public void b(int m, INDArray out) {
        out.assign(bView(m));
    }

    /**
     * @return member {@code m}'s s·B [r, nOut]: a transposed (F-ordered) view of its row of its group's products,
     *         which holds vec(s·Bᵀ); overwritten by the next compute
     */
    public INDArray bView(int m) {
        allocate();
        return rowAsMatrix(groupB[m].products, rowB[m], members[m].nOut(), members[m].rank()).transpose();
    }

    /** @return member {@code m}'s s·B [r, nOut], a new C-ordered array outside the workspaces */
    public INDArray b(int m) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray out = Nd4j.create(dataType, members[m].rank(), members[m].nOut());
            b(m, out);
            return out;
        }
    }

    /**
     * The factors of one set of coefficients, into new arrays (the arrays {@link #compute} reuses are not touched,
     * so callers may run this concurrently): per group one GEMM into a new F; each member's A is a view of its row
     * of F, and s·B a view of its row of one transposed copy of F per B group (vec(Bᵀ) rows to [r, nOut] in C
     * order). So a build makes a few arrays per group and two views per member, whatever the values.
     *
     * @param alphas per member its α [k], quantised here as {@link #setCoefficients} does
     * @param betas  per member its β [l]
     * @return per member {A [fanIn, r], s·B [r, nOut]}, C-ordered views outside the workspaces
     */
    public INDArray[][] factorsOf(double[][] alphas, double[][] betas) {
        INDArray[][] out = new INDArray[members.length][2];
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (FamilyGroup g : groups.values()) {
                int k = (int) g.bases.columns();
                double[] q = new double[g.size * k];
                for (int row = 0; row < g.size; row++) {
                    int m = g.members.get(row);
                    double[] v = quantized(m, g.roleA ? alphas[m] : betas[m]);
                    System.arraycopy(v, 0, q, row * k, k);
                }
                INDArray products = Nd4j.create(dataType, g.size, g.bases.rows());
                Nd4j.gemm(matrix(q, g.size, k), g.bases, products, false, true, g.c, 0.0);
                long r = members[g.members.get(0)].rank();
                if (g.roleA) {
                    for (int row = 0; row < g.size; row++) {
                        out[g.members.get(row)][0] = Nd4j.create(products.data(), new long[] {g.rows, r},
                                new long[] {r, 1}, row * g.rows * r, 'c', dataType);
                    }
                } else {
                    INDArray b = products.reshape(g.size, g.rows, r).permute(0, 2, 1).dup('c');
                    for (int row = 0; row < g.size; row++) {
                        out[g.members.get(row)][1] = Nd4j.create(b.data(), new long[] {r, g.rows},
                                new long[] {g.rows, 1}, row * g.rows * r, 'c', dataType);
                    }
                }
            }
        }
        return out;
    }

    /** @return {@code values} as member {@code m} mixes them: quantised when it trains quantisation-aware */
    private double[] quantized(int m, double[] values) {
        int bits = members[m].quantizationBits();
        if (bits == 0) {
            return values;
        }
        INDArray v = matrix(values, 1, values.length);
        return CoefficientQuantization.quantize(v, bits).toDoubleVector();
    }

    /** @return a new [rows, columns] array of this family's data type holding {@code values} (C order) */
    private INDArray matrix(double[] values, int rows, int columns) {
        long[] shape = {rows, columns};
        if (dataType == DataType.DOUBLE) {
            return Nd4j.create(values, shape, 'c');
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        INDArray floats = Nd4j.create(f, shape, 'c');
        return dataType == DataType.FLOAT ? floats : floats.castTo(dataType);
    }

    /**
     * @return member {@code m}'s rows of the gradient buffers, which the next {@link #project} reads: {dL/dA
     *         [fanIn, r], dL/d(s·B)ᵀ [nOut, r]}, C-ordered views, one contiguous block each, for the member's
     *         backward pass to write into ({@link io.github.nola4j.layers.ops.TrainingStep#backpropInto}); the same
     *         views at every call
     */
    public INDArray[] gradientRows(int m) {
        if (gradientRows[m] == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                if (groupA[m].gradients == null) {
                    for (FamilyGroup g : groups.values()) {
                        g.gradients = Nd4j.create(dataType, g.size, g.bases.rows());
                        g.projected = Nd4j.create(dataType, g.size, g.bases.columns());
                    }
                }
                gradientRows[m] = new INDArray[] {
                        rowAsMatrix(groupA[m].gradients, rowA[m], members[m].fanIn(), members[m].rank()),
                        rowAsMatrix(groupB[m].gradients, rowB[m], members[m].nOut(), members[m].rank())};
            }
        }
        return gradientRows[m];
    }

    /** Sets member {@code m}'s dL/dA [fanIn, r] and dL/d(s·B) [r, nOut] for the next {@link #project}. */
    public void setGradients(int m, INDArray dA, INDArray dB) {
        INDArray[] rows = gradientRows(m);
        rows[0].assign(dA);
        rows[1].assign(dB.transpose());
    }

    /** Projects the gradients set onto α and β: one GEMM (or matrix-vector product) per group. */
    public void project() {
        groups.values().forEach(g -> g.backward(g.size == 1 ? FamilyGroup.vector(g.projected) : null));
    }

    /**
     * Projects the gradients set onto α and β and writes member m's dα into {@code alphaTargets[m]} and dβ into
     * {@code betaTargets[m]} (each [k] or [1, k]; null: not wanted). A one-member group's product writes its
     * target directly when that is one contiguous block, and is skipped when its target is null; a larger group's
     * GEMM writes its {@link #alphaGradient} / {@link #betaGradient} rows, copied to the targets.
     */
    public void projectInto(INDArray[] alphaTargets, INDArray[] betaTargets) {
        for (FamilyGroup g : groups.values()) {
            INDArray[] targets = g.roleA ? alphaTargets : betaTargets;
            if (g.size == 1) {
                INDArray target = targets[g.members.get(0)];
                boolean direct = target == null || Shape.isContiguousInBuffer(target);
                g.backward(target == null ? null : direct ? target : FamilyGroup.vector(g.projected));
                if (!direct) {
                    target.assign(g.projected.reshape(target.shape()));
                }
            } else {
                g.backward(null);
                for (int row = 0; row < g.size; row++) {
                    INDArray target = targets[g.members.get(row)];
                    if (target != null) {
                        target.assign(g.projected.getRow(row).reshape(target.shape()));
                    }
                }
            }
        }
    }

    /** @return {@code rows·columns} values of row {@code row} of {@code matrix} (C order) as a C-ordered [rows, columns] view */
    private static INDArray rowAsMatrix(INDArray matrix, int row, long rows, long columns) {
        return Nd4j.create(matrix.data(), new long[] {rows, columns}, new long[] {columns, 1},
                matrix.offset() + row * matrix.size(1), 'c', matrix.dataType());
    }

    /** @return member {@code m}'s dα [k] from the last {@link #project}: a view, overwritten by the next */
    public INDArray alphaGradient(int m) {
        return groupA[m].projected.getRow(rowA[m]);
    }

    /** @return member {@code m}'s dβ [l] from the last {@link #project}: a view, overwritten by the next */
    public INDArray betaGradient(int m) {
        return groupB[m].projected.getRow(rowB[m]);
    }
}
