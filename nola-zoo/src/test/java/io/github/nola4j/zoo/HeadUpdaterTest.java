package io.github.nola4j.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** {@link NolaTransfer#headUpdater}: the new head steps at its own rate, the adapters at the fine-tune rate. */
class HeadUpdaterTest {

    private static final long[] INPUT = {1, 10, 10};

    private static MultiLayerNetwork adapted(MultiLayerNetwork base, double headLr) {
        return NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .rank(2).numBases(5, 7).basisSeed(11).replaceHead(4)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(3).updater(new Sgd(0.05)).build())
                .headUpdater(new Sgd(headLr))
                .build().network();
    }

    /** @return the change of every parameter ("layer/key") in one SGD step on {@code batch}, dropout seeded alike */
    private static Map<String, INDArray> step(MultiLayerNetwork net, DataSet batch) {
        Map<String, INDArray> before = Fixtures.snapshot(net.getLayers());
        Nd4j.getRandom().setSeed(42);
        net.fit(batch);
        Map<String, INDArray> after = Fixtures.snapshot(net.getLayers());
        Map<String, INDArray> change = new TreeMap<>();
        before.forEach((k, v) -> change.put(k, after.get(k).sub(v)));
        return change;
    }

    @Test
    void headStepsAtItsOwnRateAndAdaptersAtTheFineTuneRate() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.DOUBLE);
        DataSet batch = Fixtures.data(DataType.DOUBLE, 6, INPUT, 4, 5);
        MultiLayerNetwork slow = adapted(base, 0.1);
        MultiLayerNetwork fast = adapted(base, 0.2);
        assertEquals(slow.params(), fast.params(), "same start");

        Map<String, INDArray> dSlow = step(slow, batch);
        Map<String, INDArray> dFast = step(fast, batch);
        int headKeys = 0;
        for (String key : dSlow.keySet()) {
            double factor = key.startsWith("out/") ? 2.0 : 1.0;
            headKeys += key.startsWith("out/") ? 1 : 0;
            double diff = dFast.get(key).sub(dSlow.get(key).mul(factor)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-12, key + ": the step at head lr 0.2 should be " + factor
                    + "x the step at 0.1; off by " + diff);
        }
        assertEquals(2, headKeys, "the head's W and b were compared: " + dSlow.keySet());
        assertTrue(dSlow.entrySet().stream().filter(e -> e.getKey().startsWith("out/"))
                .allMatch(e -> e.getValue().amaxNumber().doubleValue() > 0), "the head trained");
        assertTrue(dSlow.get("fc/beta").amaxNumber().doubleValue() > 0, "an adapter trained");
    }

    @Test
    void headUpdaterWithoutANewHeadIsAnError() {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NolaTransfer.of(base)
                .targetKinds(LayerKind.DENSE).headUpdater(new Sgd(0.1)).build());
        assertTrue(e.getMessage().contains("replaceHead"), e.getMessage());
    }

    /** @return the part of the flat vector {@code flat} that holds parameter {@code key} of layer {@code name} */
    private static INDArray sliceOf(MultiLayerNetwork net, INDArray flat, String name, String key) {
        long offset = 0;
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            for (var e : l.paramTable().entrySet()) {
                if (l.conf().getLayer().getLayerName().equals(name) && e.getKey().equals(key)) {
                    return flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + e.getValue().length()))
                            .reshape(e.getValue().shape());
                }
                offset += e.getValue().length();
            }
        }
        throw new IllegalArgumentException(name + "/" + key);
    }
}
