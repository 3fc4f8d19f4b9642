package io.github.nola4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.zoo.model.TinyYOLO;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Zoo TinyYOLO at 16×16, all 9 convolutions adapted at r = 4, k = l = 64, in float: after two fit
 * steps, a ModelSerializer copy takes the next step to the same bits as the original. Before the
 * input-gradient switch was kept in the layer configuration, the copy computed the lowest adapter's
 * unused input gradient, took the other convolution training path and differed by up to 1.1e-7.
 */
class SavedCopyTrainsOnTest {

    @Test
    void modelSerializerCopyOfTinyYoloTrainsOnBitIdentically() {
        ComputationGraph base = (ComputationGraph) TinyYOLO.builder().numClasses(5).inputShape(new int[] {3, 16, 16})
                .build().init();
        ComputationGraph net = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION).rank(4).numBases(64, 64)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).build())
                .build().network();
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        INDArray out = net.outputSingle(x);
        DataSet d = new DataSet(x, Nd4j.zeros(DataType.FLOAT, 2, 4 + 5, out.size(2), out.size(3)));
        net.fit(d);
        net.fit(d);
        ZooChecks.assertSavedCopyTrainsOnIdentically("TinyYOLO float", net, d);
    }
}
