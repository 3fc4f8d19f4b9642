package io.github.nola4j.zoo;

import io.github.nola4j.layers.DirectLowRankLayer;
import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's updater skips every parameter that never trains in a NOLA transfer: W and b of the NOLA layers and
 * the parameters of the frozen layers above them on libnd4j ({@link FrozenInferenceRuntime}), as it already
 * did for the frozen layers below ({@link FrozenForwardRuntime}): no updater block over them and no division of
 * their gradient slices by the minibatch. Those parameters stay bit-identical and their gradient slices zero;
 * the coefficients and the head still train and are averaged over the minibatch.
 */
class UpdaterSkipsTest {

    @Test
    void parametersThatNeverTrainAreSkippedByTheUpdaterAndStayUnwritten() {
        MultiLayerNetwork net = NolaTransfer.of(Fixtures.smallCnn(DataType.DOUBLE)).targetMatching("conv1")
                .replaceHead(Fixtures.CLASSES).build().network();
        assertTrue(net.getLayer(0) instanceof DirectLowRankLayer, "conv1 is adapted");
        assertTrue(net.getLayer(1) instanceof FrozenInferenceRuntime r && r.runsOnLibnd4j(), "bn1 above it on libnd4j");

        Map<String, INDArray> frozenBefore = new LinkedHashMap<>();
        int skipped = 0;
        for (Layer l : net.getLayers()) {
            boolean onRuntime = l instanceof DirectLowRankLayer
                    || l instanceof FrozenInferenceRuntime r && r.runsOnLibnd4j();
            for (String key : l.paramTable().keySet()) {
                String name = l.conf().getLayer().getLayerName() + "/" + key;
                if (Trainability.trains(l, key)) {
                    assertFalse(l.getConfig().isPretrainParam(key), name + " trains: DL4J's updater must not skip it");
                    assertTrue(l.updaterDivideByMinibatch(key), name + " trains: its gradient is averaged");
                } else {
                    frozenBefore.put(name, l.getParam(key).dup());
                    if (onRuntime) {
                        assertTrue(l.getConfig().isPretrainParam(key), "DL4J's updater skips " + name);
                        assertFalse(l.updaterDivideByMinibatch(key), name);
                        skipped++;
                    }
                }
            }
        }
        assertTrue(skipped >= 2 + 4 + 2 + 2, "W, b of conv1; bn1; conv2; fc: " + skipped);

        DataSet data = Fixtures.data(DataType.DOUBLE, 6, new long[] {1, 10, 10}, Fixtures.CLASSES, 5);
        INDArray coefficientsBefore = net.getLayer(0).getParam("beta").dup();
        for (int i = 0; i < 3; i++) {
            net.fit(data);
        }
        assertFalse(Fixtures.bitIdentical(coefficientsBefore, net.getLayer(0).getParam("beta")), "β trained");
        for (Layer l : net.getLayers()) {
            for (String key : l.paramTable().keySet()) {
                String name = l.conf().getLayer().getLayerName() + "/" + key;
                if (frozenBefore.containsKey(name)) {
                    assertTrue(Fixtures.bitIdentical(frozenBefore.get(name), l.getParam(key)), name + " changed");
                }
            }
        }
        INDArray frozenGradients = net.getLayer(1).getGradientsViewArray();
        assertEquals(0.0, frozenGradients.amaxNumber().doubleValue(), "bn1's gradient slice stays zero");
    }
}
