package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterApplier;
import io.github.nola4j.layers.adapter.AdapterCapture;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.layers.adapter.AdapterPlan;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An added adapter is held as the values {@link AdapterApplier#plan} would copy in, all views of one buffer in
 * the network's data type, and every check of the plan still refuses a bad one (nothing becomes resident).
 */
class ResidentAdaptersTest {

    private static Adapter captured(MultiLayerNetwork net, AdaptedNetwork adapted) {
        Nd4j.getRandom().setSeed(21);
        net.getLayer(0).getParam(NolaLayer.BETA_KEY).assign(Nd4j.rand(DataType.FLOAT, 1, 8));
        net.getLayer(1).getParam(NolaLayer.ALPHA_KEY).addi(0.25);
        net.getLayer(2).getParam("W").addi(0.5);
        return AdapterCapture.capture(adapted, "t", List.of("head"));
    }

    private static void assertResidentEqualsPlan(MultiLayerNetwork net, DataType dt) {
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        Adapter adapter = captured(net, adapted);
        ResidentAdapters resident = new ResidentAdapters(adapted, LoadOptions.STRICT, 0);
        ResidentAdapter r = resident.add("t", adapter);
        List<INDArray> held = new ArrayList<>();
        for (int l = 0; l < r.layers(); l++) {
            held.addAll(List.of(r.coefficients(l)));
        }
        held.addAll(r.extras("head").values());
        List<AdapterPlan.Assignment> plan = AdapterApplier.plan(adapted, adapter, LoadOptions.STRICT).assignments();
        assertEquals(plan.size(), held.size());
        for (AdapterPlan.Assignment a : plan) {
            String[] id = a.id().split("/");
            INDArray got = id[0].equals("head") ? r.extras("head").get(id[1])
                    : r.coefficients(id[0].equals("conv") ? 0 : 1)[id[1].equals(NolaLayer.ALPHA_KEY) ? 0 : 1];
            assertEquals(a.value(), got, a.id());
            assertEquals(dt, got.dataType(), a.id());
        }
        assertEquals(1, r.buffers().size(), "one buffer per adapter");
        assertEquals(plan.stream().mapToLong(a -> a.value().length()).sum() * dt.width(), r.bytes());
        for (INDArray v : held) {
            assertEquals(r.buffers().get(0).data().address(), v.data().address(), "a view of the buffer");
        }
    }

    @Test
    void adaptersOfOneFormShareOneLayout() {
        MultiLayerNetwork net = ReplicaAndCacheTest.net();
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        ResidentAdapters resident = new ResidentAdapters(adapted, LoadOptions.STRICT, 0);
        ResidentAdapter a = resident.add("a", captured(net, adapted));
        ResidentAdapter b = resident.add("b", captured(net, adapted));
        ResidentAdapter noHead = resident.add("c", AdapterCapture.capture(adapted, "c", List.of()));
        assertSame(a.layout(), b.layout(), "same tensors, one layout");
        assertNotEquals(a.layout(), noHead.layout());
        assertFalse(noHead.replaces("head"));
        assertEquals(Map.of(), noHead.extras("head"));
        assertNotSame(a.buffers().get(0), b.buffers().get(0), "each adapter its own values");
        assertEquals(a.coefficients(0)[1], b.coefficients(0)[1]);
        assertNotEquals(a.coefficients(1)[0], b.coefficients(1)[0], "captured() moved layer 1's alpha");
        assertEquals(b.coefficients(1)[0], noHead.coefficients(1)[0]);
    }

    @Test
    void heldValuesAreThePlansInOneBuffer() {
        assertResidentEqualsPlan(ReplicaAndCacheTest.net(), DataType.FLOAT);
        assertResidentEqualsPlan(ReplicaAndCacheTest.net().convertDataType(DataType.DOUBLE), DataType.DOUBLE);
    }

    private static Adapter withFirstLayer(Adapter a, UnaryOperator<LayerAdapter> change) {
        List<LayerAdapter> layers = new ArrayList<>(a.layers());
        layers.set(0, change.apply(layers.get(0)));
        return new Adapter(a.task(), a.generatorId(), a.generatorVersion(), a.baseFingerprint(), layers,
                a.extraTensors());
    }

    @Test
    void everyCheckStillRefusesAndNothingBecomesResident() {
        MultiLayerNetwork net = ReplicaAndCacheTest.net();
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        Adapter good = captured(net, adapted);
        ResidentAdapters resident = new ResidentAdapters(adapted, LoadOptions.STRICT, 0);
        Adapter otherScale = withFirstLayer(good, la -> new LayerAdapter(la.name(), la.type(), la.weightShape(),
                la.hasBias(), la.rank(), la.numBasesA(), la.numBasesB(), la.scale() * 2, la.basisSeed(), la.alpha(),
                la.beta()));
        assertThrows(AdapterMismatchException.class, () -> resident.add("scale", otherScale));
        float[] nan = good.layers().get(0).beta().clone();
        nan[3] = Float.NaN;
        Adapter notFinite = withFirstLayer(good, la -> la.withCoefficients(la.alpha(), nan));
        assertThrows(AdapterFormatException.class, () -> resident.add("nan", notFinite));
        Adapter otherBase = new Adapter(good.task(), good.generatorId(), good.generatorVersion(), "sha256:other",
                good.layers(), good.extraTensors());
        AdapterMismatchException e = assertThrows(AdapterMismatchException.class,
                () -> resident.add("foreign", otherBase));
        assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
        assertEquals(List.of(), resident.names());
        assertEquals(0, resident.bytes());
        resident.add("good", good);
        assertEquals(List.of("good"), resident.names());
        assertEquals(2, resident.get("good").extras("head").size(), "the head's W and b");
    }
}
