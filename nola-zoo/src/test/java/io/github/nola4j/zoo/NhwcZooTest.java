package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.zoo.model.ResNet50;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ({@code mvn -Pzoo test}) zoo ResNet50 at 96x96 rebuilt in NHWC ({@code activationDataFormat(CNN2DFormat.NHWC)})
 * computes what the NCHW transfer computes, head-only and with every convolution adapted, before and after two SGD
 * training steps (float, 1e-4 of the largest value: 53 convolutions deep), with BatchNorm calibrated on the batch
 * so that the untrained network's activations stay finite.
 */
class NhwcZooTest {

    /**
     * The two steps' updater. Not the zoo's RmsProp(0.1): its first steps move each coefficient by about ±0.5
     * whatever its gradient's size, so a near-zero gradient whose sign the layouts' different summation orders flip
     * (the NHWC 1x1 convolutions run as plain products) sent the outputs 0.999 apart; with SGD they agree to 1e-4.
     */
    private static final FineTuneConfiguration SGD = new FineTuneConfiguration.Builder()
            .updater(new org.nd4j.linalg.learning.config.Sgd(1e-2)).build();

    @Test
    @Tag("zoo")
    void resNet50InNhwcComputesAndTrainsAsInNchw() {
        ComputationGraph base = ResNet50.builder().numClasses(Fixtures.CLASSES).seed(3)
                .inputShape(new int[] {3, 96, 96}).build().init();
        DataSet data = Fixtures.data(DataType.FLOAT, 4, new long[] {3, 96, 96}, Fixtures.CLASSES, 23);
        for (boolean adapt : new boolean[] {false, true}) {
            Map<CNN2DFormat, TransferResult<ComputationGraph>> nets = new java.util.EnumMap<>(CNN2DFormat.class);
            for (CNN2DFormat format : CNN2DFormat.values()) {
                NolaTransfer<ComputationGraph> t = NolaTransfer.of(base).activationDataFormat(format)
                        .calibrateBatchNorm(data.getFeatures()).fineTuneConfiguration(SGD);
                nets.put(format, (adapt ? t.targetKinds(LayerKind.CONVOLUTION) : t.replaceHead(Fixtures.CLASSES))
                        .build());
            }
            ComputationGraph nchw = nets.get(CNN2DFormat.NCHW).network();
            ComputationGraph nhwc = nets.get(CNN2DFormat.NHWC).network();
            String head = nets.get(CNN2DFormat.NCHW).headLayer();
            if (head != null) { // the fresh heads: the same start for both
                nhwc.getLayer(head).setParams(nchw.getLayer(head).params().dup());
            }
            String what = adapt ? "every convolution adapted" : "head-only";
            INDArray x = data.getFeatures();
            NhwcTransferTest.assertClose(nchw.outputSingle(false, x), nhwc.outputSingle(false, x), 1e-4, what);
            for (int i = 0; i < 2; i++) {
                nchw.fit(data);
                nhwc.fit(data);
            }
            INDArray after = nhwc.outputSingle(false, x);
            assertTrue(Double.isFinite(after.amaxNumber().doubleValue()), what + ": finite outputs");
            NhwcTransferTest.assertClose(nchw.outputSingle(false, x), after, 1e-4, what + ", after 2 steps");
        }
    }
}
