package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A head-only transfer trains its head exactly as the head trains alone on the frozen backbone's
 * features, and leaves every frozen parameter bit-identical, while DL4J's updater skips the frozen
 * layers' parameters: no division of their gradient slices by the minibatch (the slices stay zero)
 * and no updater block over them.
 */
class HeadOnlyStepTest {

    private static final int STEPS = 3;

    @Test
    void headTrainsBitIdenticallyToTheHeadAloneAndFrozenWeightsStay() {
        MultiLayerNetwork net = NolaTransfer.of(Fixtures.smallCnn(DataType.DOUBLE)).replaceHead(4).build().network();
        int head = net.getnLayers() - 1;
        org.deeplearning4j.nn.api.Layer[] frozen = Arrays.copyOf(net.getLayers(), head);
        Map<String, INDArray> frozenBefore = Fixtures.snapshot(frozen);
        DataSet data = Fixtures.data(DataType.DOUBLE, 6, new long[] {1, 10, 10}, 4, 11);

        NeuralNetConfiguration headConf = net.getLayerWiseConfigurations().getConf(head).clone();
        MultiLayerNetwork alone = new MultiLayerNetwork(new MultiLayerConfiguration.Builder().dataType(DataType.DOUBLE)
                .confs(List.of(headConf)).build());
        INDArray headBefore = net.getLayer(head).params().dup();
        alone.init(headBefore.dup(), false);
        INDArray features = net.feedForwardToLayer(head - 1, data.getFeatures(), false).get(head);
        DataSet headData = new DataSet(features, data.getLabels());

        for (int i = 0; i < STEPS; i++) {
            net.fit(data);
            alone.fit(headData);
        }

        assertTrue(Fixtures.bitIdentical(alone.params(), net.getLayer(head).params()),
                "head after " + STEPS + " steps: transfer " + net.getLayer(head).params() + ", alone " + alone.params());
        assertFalse(Fixtures.bitIdentical(headBefore, alone.params()), "the head trained");
        Fixtures.assertBitIdentical(frozenBefore, Fixtures.snapshot(frozen), "frozen layers");
        long frozenParams = 0;
        for (org.deeplearning4j.nn.api.Layer l : frozen) {
            for (String key : l.paramTable().keySet()) {
                assertFalse(l.updaterDivideByMinibatch(key), l.conf().getLayer().getLayerName() + "/" + key);
                assertTrue(l.getConfig().isPretrainParam(key), "DL4J's updater skips " + key + " of "
                        + l.conf().getLayer().getLayerName());
            }
            frozenParams += l.numParams();
        }
        INDArray frozenGradients = net.getGradientsViewArray().reshape(-1).get(NDArrayIndex.interval(0, frozenParams));
        assertEquals(0.0, frozenGradients.amaxNumber().doubleValue(), "the frozen layers' gradient slice stays zero");
        assertTrue(net.getLayer(head).updaterDivideByMinibatch("W"), "the head's gradient is still averaged");
    }
}
