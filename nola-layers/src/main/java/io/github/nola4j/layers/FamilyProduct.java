package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.LowRankUpdate;
import io.github.nola4j.layers.ops.ParameterSnapshot;
import io.github.nola4j.layers.ops.TrainingStep;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training step's use of {@link FamilyFactors}: the factors and coefficient gradients of all NOLA layers of
 * one basis family, from one GEMM per group of layers with the same basis rows instead of one pass over the bases
 * per layer (the formulas are {@link FamilyFactors}'). Made by {@link FamilyRoster#form}; every member is a
 * {@link DirectLowRankLayer} with a {@link NolaLayer} configuration of the family's seed, rank, k, l and data type.
 *
 * <p>Forward: the first member that asks in a step computes every member's factors from their current α and β;
 * a member whose α or β differ from the values its factors came from triggers that again. A member's A and s·B
 * are views of the products (s·B a transposed one, read by the step's GEMMs through a transpose flag). Backward:
 * each member's step writes dA and d(s·B)ᵀ by its GEMMs straight into its rows of the family's gradient buffers;
 * when the last member of the family has, the two products per group write every member's dα and dβ into its
 * gradient arrays (DL4J's gradient views, read by the updater after backprop; a one-member group's product writes
 * there directly). {@link #flush} does it for the members that handed theirs over when not all did.
 *
 * <p>Buffers live outside DL4J's workspaces and are reused every step.
 */
final class FamilyProduct {

    /** A member layer, its factors and the values they came from. */
    private static final class Member {
        final DirectLowRankLayer layer;
        final int index;
        LowRankUpdate update; // A and s·B are views of their rows of the family's products: no copy per step
        ParameterSnapshot[] values;
        Map<String, INDArray> gradientTable;

        Member(DirectLowRankLayer layer, int index) {
            this.layer = layer;
            this.index = index;
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final Map<DirectLowRankLayer, Member> byLayer = new IdentityHashMap<>();
    private final FamilyFactors factors;
    private int handedOver;

    /**
     * @param layers the family's layers, each a {@link DirectLowRankLayer} of a {@link NolaLayer} with the
     *               same seed, rank, k, l and data type
     */
    FamilyProduct(List<DirectLowRankLayer> layers) {
        List<NolaFactors> confs = new ArrayList<>();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (DirectLowRankLayer layer : layers) {
                NolaLayer conf = (NolaLayer) layer.layerConf();
                confs.add(conf.nolaFactors());
                Member m = new Member(layer, members.size());
                members.add(m);
                byLayer.put(layer, m);
            }
            factors = new FamilyFactors(confs, layers.get(0).getDataType());
            for (Member m : members) {
                NolaLayer conf = (NolaLayer) m.layer.layerConf();
                m.update = new LowRankUpdate(conf.shape(), conf.weightShape(), factors.a(m.index),
                        factors.bView(m.index));
            }
        }
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
     * Runs a member's backward pass with its dL/dA and dL/d(s·B)ᵀ written straight into its rows of the family's
     * gradient buffers ({@link TrainingStep#backpropInto}); its dα and dβ are written into {@code gradientTable}
     * when the last member has handed over (or at {@link #flush}).
     *
     * @param delta dL/dz of the member's step
     * @return dL/dx, or null when the step was made without an input gradient
     */
    INDArray backprop(DirectLowRankLayer layer, TrainingStep step, INDArray delta,
                      Map<String, INDArray> gradientTable) {
        Member m = member(layer);
        INDArray[] rows = factors.gradientRows(m.index);
        INDArray dx = step.backpropInto(delta, rows[0], rows[1]);
        if (m.gradientTable == null) {
            handedOver++;
        }
        m.gradientTable = gradientTable;
        if (handedOver == members.size()) {
            flush();
        }
        return dx;
    }

    /** Writes dα, dβ of every member that handed its factor gradients over since the last flush. */
    void flush() {
        if (handedOver == 0) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray[] alphaTargets = new INDArray[members.size()];
            INDArray[] betaTargets = new INDArray[members.size()];
            for (Member m : members) {
                if (m.gradientTable != null) {
                    alphaTargets[m.index] = m.gradientTable.get(NolaLayer.ALPHA_KEY);
                    betaTargets[m.index] = m.gradientTable.get(NolaLayer.BETA_KEY);
                    m.gradientTable = null;
                }
            }
            factors.projectInto(alphaTargets, betaTargets); // a one-member group writes its gradient view directly
        }
        handedOver = 0;
    }

    private void computeFactors() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Member m : members) {
                m.values = m.layer.trainableValues();
                factors.setCoefficients(m.index, m.layer.getParam(NolaLayer.ALPHA_KEY),
                        m.layer.getParam(NolaLayer.BETA_KEY));
            }
            factors.compute();
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
