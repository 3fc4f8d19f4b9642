package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.LowRankUpdate;
import io.github.nola4j.layers.ops.ParameterSnapshot;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The factors and coefficient gradients of all NOLA layers of one basis family, from one GEMM per
 * group of layers with the same basis rows instead of one pass over the bases per layer. Made by
 * {@link FamilyRoster#form}; every member is a {@link DirectLowRankLayer} with a {@link NolaLayer}
 * configuration of the family's seed, rank, k, l and data type.
 * <pre>
 *   group    the members with the same rows R (fanIn for A, nOut for B) and the same scale c
 *            (cA for A, s·cB for B), n members; bases M [R·r, k] (the family's leading R·r rows)
 *   forward  F = c · Q [n, k] · Mᵀ          [n, R·r]   row j = vec(A_j) (A) or vec(B_jᵀ) (B),
 *                                                        Q row j = α_j (β_j), quantised when the layer is
 *   backward G = c · D [n, R·r] · M          [n, k]     D row j = vec(dA_j) (A) or vec(dB_jᵀ) (B)
 * </pre>
 * This is {@link NolaFactors#factors} and {@link NolaFactors#gradients} for n layers at once: M is read
 * once per group instead of once per layer. Forward: the first member that asks in a step computes
 * every member's factors from their current α and β; a member whose α or β differ from the values
 * its factors came from triggers that again. Backward: each member hands over dA and dB; when the
 * last member of the family has, the two products per group write every member's dα and dβ into its
 * gradient arrays (DL4J's gradient views, read by the updater after backprop). {@link #flush} does
 * it for the members that handed theirs over when not all did.
 *
 * <p>Buffers live outside DL4J's workspaces and are reused every step.
 */
final class FamilyProduct {

    /** One group: members with the same rows and scale, in one role (A or B). */
    private static final class Group {
        final INDArray bases;
        final double c;
        final long rows;
        final int rank;
        final List<Integer> members = new ArrayList<>();
        INDArray coefficients;  // Q [n, numBases]
        INDArray products;      // F [n, rows·r]
        INDArray gradients;     // D [n, rows·r]
        INDArray projected;     // G [n, numBases]

        Group(INDArray bases, double c, long rows, int rank) {
            this.bases = bases;
            this.c = c;
            this.rows = rows;
            this.rank = rank;
        }

        void allocate(DataType dataType) {
            int n = members.size();
            coefficients = Nd4j.create(dataType, n, bases.columns());
            products = Nd4j.create(dataType, n, rows * rank);
            gradients = Nd4j.create(dataType, n, rows * rank);
            projected = Nd4j.create(dataType, n, bases.columns());
        }

        void forward() {
            Nd4j.gemm(coefficients, bases, products, false, true, c, 0.0);
        }

        void backward() {
            if (members.size() == 1) { // G = c·Mᵀ·d as a matrix-vector product: about 2x faster than a 1-row GEMM
                Nd4j.exec(new Mmul(bases, gradients.reshape(gradients.length()), projected.reshape(projected.length()),
                        c, 0.0, MMulTranspose.builder().transposeA(true).build()));
            } else {
                Nd4j.gemm(gradients, bases, projected, false, false, c, 0.0);
            }
        }
    }

    /** A member layer, its place in its two groups, its factors and the values they came from. */
    private static final class Member {
        final DirectLowRankLayer layer;
        final NolaLayer conf;
        final Group groupA;
        final int rowA;
        final Group groupB;
        final int rowB;
        final INDArray b;  // s·B [r, nOut], C order
        LowRankUpdate update; // A is a view of its row of groupA's products: no copy per step
        ParameterSnapshot[] values;
        Map<String, INDArray> gradientTable;

        Member(DirectLowRankLayer layer, NolaLayer conf, Group groupA, Group groupB) {
            this.layer = layer;
            this.conf = conf;
            this.groupA = groupA;
            this.rowA = groupA.members.size();
            this.groupB = groupB;
            this.rowB = groupB.members.size();
            groupA.members.add(rowA);
            groupB.members.add(rowB);
            this.b = Nd4j.create(layer.getDataType(), conf.getRank(), conf.getNOut());
        }

        /** Makes {@link #update} once the groups' arrays exist. */
        void attachFactors() {
            INDArray a = groupA.products.getRow(rowA).reshape(conf.fanIn(), conf.getRank());
            this.update = new LowRankUpdate(conf.shape(), conf.weightShape(), a, b);
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final Map<DirectLowRankLayer, Member> byLayer = new IdentityHashMap<>();
    private final Map<List<Object>, Group> groups = new LinkedHashMap<>();
    private final DataType dataType;
    private int handedOver;

    /**
     * @param layers the family's layers, each a {@link DirectLowRankLayer} of a {@link NolaLayer} with the
     *               same seed, rank, k, l and data type
     */
    FamilyProduct(List<DirectLowRankLayer> layers) {
        this.dataType = layers.get(0).getDataType();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (DirectLowRankLayer layer : layers) {
                NolaLayer conf = (NolaLayer) layer.layerConf();
                NolaFactors f = conf.nolaFactors();
                Group a = group("A", f.basesA(dataType), f.coefficientScaleA(), f.fanIn(), f.rank());
                Group b = group("B", f.basesB(dataType), f.scale() * f.coefficientScaleB(), f.nOut(), f.rank());
                Member m = new Member(layer, conf, a, b);
                members.add(m);
                byLayer.put(layer, m);
            }
            groups.values().forEach(g -> g.allocate(dataType));
            members.forEach(Member::attachFactors);
        }
    }

    private Group group(String role, INDArray bases, double c, long rows, int rank) {
        return groups.computeIfAbsent(List.of(role, rows, c), k -> new Group(bases, c, rows, rank));
    }

    /** @return the number of member layers */
    int size() {
        return members.size();
    }

    /**
     * @param layer a member
     * @return its factors A, s·B from its current α and β; arrays outside the workspaces, overwritten when
     *         a member's values change
     */
    LowRankUpdate update(DirectLowRankLayer layer) {
        Member m = member(layer);
        if (m.values == null || !layer.trainableMatch(m.values)) {
            computeFactors();
        }
        return m.update;
    }

    /**
     * Takes a member's dL/dA [fanIn, r] and dL/d(s·B) [r, nOut]; its dα and dβ are written into
     * {@code gradientTable} when the last member has handed over (or at {@link #flush}).
     */
    void handOver(DirectLowRankLayer layer, INDArray dA, INDArray dB, Map<String, INDArray> gradientTable) {
        Member m = member(layer);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            m.groupA.gradients.getRow(m.rowA).reshape(dA.shape()).assign(dA);
            m.groupB.gradients.getRow(m.rowB).reshape(dB.size(1), dB.size(0)).assign(dB.transpose());
        }
        if (m.gradientTable == null) {
            handedOver++;
        }
        m.gradientTable = gradientTable;
        if (handedOver == members.size()) {
            flush();
        }
    }

    /** Writes dα, dβ of every member that handed its factor gradients over since the last flush. */
    void flush() {
        if (handedOver == 0) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            groups.values().forEach(Group::backward);
            for (Member m : members) {
                if (m.gradientTable != null) {
                    m.gradientTable.get(NolaLayer.ALPHA_KEY).assign(m.groupA.projected.getRow(m.rowA));
                    m.gradientTable.get(NolaLayer.BETA_KEY).assign(m.groupB.projected.getRow(m.rowB));
                    m.gradientTable = null;
                }
            }
        }
        handedOver = 0;
    }

    private void computeFactors() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Member m : members) {
                m.values = m.layer.trainableValues();
                int bits = m.conf.getQuantizationBits();
                INDArray alpha = m.layer.getParam(NolaLayer.ALPHA_KEY);
                INDArray beta = m.layer.getParam(NolaLayer.BETA_KEY);
                if (bits > 0) {
                    alpha = CoefficientQuantization.quantize(alpha, bits);
                    beta = CoefficientQuantization.quantize(beta, bits);
                }
                m.groupA.coefficients.getRow(m.rowA).assign(alpha);
                m.groupB.coefficients.getRow(m.rowB).assign(beta);
            }
            groups.values().forEach(Group::forward);
            for (Member m : members) {
                m.b.assign(m.groupB.products.getRow(m.rowB).reshape(m.b.size(1), m.b.size(0)).transpose());
            }
        }
    }

    private Member member(DirectLowRankLayer layer) {
        Member m = byLayer.get(layer);
        if (m != null) {
            return m;
        }
        throw new IllegalArgumentException("Layer \"" + layer.getConf().getLayer().getLayerName()
                + "\" is not in this basis family; attach BasisFamilies to the network that holds it");
    }
}
