package io.github.nola4j.spark;

import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Which parameters travel: selected by layer type and updater. */
class TrainableParametersTest {

    @Test
    void nolaTransferTrainsCoefficientsAndHeadOnly() {
        MultiLayerNetwork net = Fixtures.transfer(Fixtures.pretrainedMlp());
        TrainableParameters p = TrainableParameters.of(net);
        assertEquals(List.of("dense1/alpha", "dense1/beta", "dense2/alpha", "dense2/beta", "out/W", "out/b"),
                p.trainableNames());
        assertEquals(2 * (16 + 16) + 32 * 4 + 4, p.length());
        assertEquals(net.numParams() - p.length(), p.frozenLength());
    }

    @Test
    void batchNormKeptTrainableShipsGammaBetaAndItsStatisticsOnlyWhenTheyMove() {
        MultiLayerNetwork base = Fixtures.pretrainedMlp();
        MultiLayerNetwork fixedStats = NolaTransfer.of(base).targetKinds(LayerKind.DENSE).numBases(4, 4)
                .trainable("bn").replaceHead(4).build().network();
        assertEquals(List.of("dense1/alpha", "dense1/beta", "bn/gamma", "bn/beta", "dense2/alpha", "dense2/beta",
                "out/W", "out/b"), TrainableParameters.of(fixedStats).trainableNames());
        MultiLayerNetwork movingStats = NolaTransfer.of(base).targetKinds(LayerKind.DENSE).numBases(4, 4)
                .trainable("bn").freezeBatchNormStatistics(false).replaceHead(4).build().network();
        assertEquals(List.of("dense1/alpha", "dense1/beta", "bn/gamma", "bn/beta", "bn/mean", "bn/log10stdev",
                "dense2/alpha", "dense2/beta", "out/W", "out/b"), TrainableParameters.of(movingStats).trainableNames());
    }

    @Test
    void assignWritesBackWhatValuesRead() {
        MultiLayerNetwork net = Fixtures.transfer(Fixtures.pretrainedMlp());
        TrainableParameters p = TrainableParameters.of(net);
        String frozen = p.frozenFingerprint();
        INDArray values = Nd4j.linspace(net.params().dataType(), -1, 2.0 / p.length(), p.length()).reshape(1,
                p.length());
        p.assign(values);
        assertEquals(values, p.values());
        assertEquals(values.getDouble(0, 0), net.getLayer("dense1").getParam("alpha").getDouble(0, 0));
        INDArray b = net.getLayer("out").getParam("b");
        assertEquals(values.getDouble(0, p.length() - 1), b.getDouble(b.length() - 1),
                b.shapeInfoToString() + " " + b + " " + values.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(p.length() - 8, p.length())));
        assertEquals(frozen, p.frozenFingerprint(), "assign must not touch frozen parameters");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.assign(Nd4j.zeros(net.params().dataType(), 1, 3)));
        assertTrue(e.getMessage().contains("Got 3 trainable values, but the network has " + p.length()),
                e.getMessage());
    }

    @Test
    void frozenFingerprintSeesOneBitOfAFrozenWeight() {
        MultiLayerNetwork net = Fixtures.transfer(Fixtures.pretrainedMlp());
        TrainableParameters p = TrainableParameters.of(net);
        String before = p.frozenFingerprint();
        INDArray w = net.getLayer("dense2").getParam("W");
        float v = w.getFloat(3, 5);
        w.putScalar(3, 5, Math.nextUp(v));
        assertNotEquals(before, p.frozenFingerprint());
        w.putScalar(3, 5, v);
        assertEquals(before, p.frozenFingerprint());
    }
}
