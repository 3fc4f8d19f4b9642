package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.Adapter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Switching, detaching, merging and unmerging, bit-exact over many cycles. */
class AdapterBankTest {

    private final MultiLayerNetwork net = TestNets.base(1, 3);
    private final float[] pristine = TestNets.params(net);
    private final INDArray x = TestNets.input(3);
    private final INDArray baseOut = net.output(x);
    private final Adapter a = trained(11);
    private final Adapter b = trained(12);

    private static Adapter trained(long seed) {
        MultiLayerNetwork t = TestNets.base(1, 3);
        TestNets.pretendTrained(t, seed);
        return AdapterCapture.capture(AdaptedNetwork.of(t), "task" + seed, TestNets.HEAD);
    }

    private AdapterBank bank() {
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(net), TestNets.HEAD, LoadOptions.STRICT);
        bank.add("a", a);
        bank.add("b", b);
        return bank;
    }

    @Test
    void activateSwitchesAndDetachRestoresTheBaseExactly() {
        AdapterBank bank = bank();
        bank.activate("a");
        INDArray outA = net.output(x);
        assertNotEquals(baseOut, outA);
        bank.activate("b");
        assertNotEquals(outA, net.output(x));
        bank.activate("a");
        assertEquals(outA, net.output(x));
        bank.useBase();
        assertNull(bank.active());
        assertArrayEquals(pristine, TestNets.params(net));
        assertEquals(baseOut, net.output(x));
        assertEquals(List.of("a", "b"), bank.names());
    }

    @Test
    void mergeKeepsTheOutputAndUnmergeRestoresEveryBit() {
        AdapterBank bank = bank();
        bank.activate("a");
        float[] active = TestNets.params(net);
        INDArray outA = net.output(x);
        bank.merge();
        assertTrue(bank.isMerged());
        for (var layer : AdaptedNetwork.of(net).nolaLayers()) {
            assertEquals(0.0, layer.getParam(NolaLayer.BETA_KEY).norm1Number().doubleValue());
        }
        assertFalse(java.util.Arrays.equals(active, TestNets.params(net)), "merge must change W");
        assertTrue(outA.equalsWithEps(net.output(x), 1e-5), "merged output differs");
        assertThrows(IllegalStateException.class, bank::merge);
        bank.unmerge();
        assertArrayEquals(active, TestNets.params(net));
        assertEquals(outA, net.output(x));
    }

    @Test
    void aThousandSwitchMergeUnmergeCyclesLeaveTheBaseBitIdentical() {
        AdapterBank bank = bank();
        for (int i = 0; i < 1000; i++) {
            bank.activate(i % 2 == 0 ? "a" : "b");
            bank.merge();
            if (i % 3 == 0) {
                bank.unmerge();
            }
            if (i % 5 == 0) {
                bank.useBase();
            }
        }
        bank.useBase();
        assertArrayEquals(pristine, TestNets.params(net));
        assertEquals(baseOut, net.output(x));
    }

    @Test
    void adapterWithoutHeadGetsTheBaseHead() {
        AdapterBank bank = bank();
        Adapter noHead = new Adapter("nohead", b.generatorId(), b.generatorVersion(), b.baseFingerprint(), b.layers(),
                List.of());
        bank.add("nohead", noHead);
        bank.activate("a");
        bank.activate("nohead");
        assertEquals(net.getLayer("head").getParam("W"), TestNets.base(1, 3).getLayer("head").getParam("W"));
    }

    @Test
    void badAdapterIsRejectedAtAddAndChangesNothing() {
        AdapterBank bank = bank();
        bank.activate("b");
        float[] before = TestNets.params(net);
        MultiLayerNetwork other = TestNets.base(5, 3);
        Adapter foreign = AdapterCapture.capture(AdaptedNetwork.of(other), "x", TestNets.HEAD);
        assertThrows(AdapterMismatchException.class, () -> bank.add("x", foreign));
        assertThrows(IllegalArgumentException.class, () -> bank.activate("x"));
        assertArrayEquals(before, TestNets.params(net));
        assertEquals("b", bank.active());
        assertEquals(List.of("a", "b"), bank.names());
    }
}
