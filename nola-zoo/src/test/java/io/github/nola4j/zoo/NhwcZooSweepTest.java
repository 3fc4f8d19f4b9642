package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ({@code mvn -Pzoo test}) {@code activationDataFormat(CNN2DFormat.NHWC)} on every zoo model of
 * {@link ZooSweepTest#models()} at its larger size, with every convolution and dense layer adapted and with the head
 * only: the NHWC network computes what the NCHW transfer computes, before and after two SGD steps (float, 1e-4 of
 * the largest value), leaves the base bit-identical, and trains only its adapters and head
 * ({@link ZooChecks#assertTwoStepsTrainOnlyTheAdapters}). A model NHWC cannot take is refused at {@code build()}
 * with an IllegalArgumentException whose text is listed in {@link #REFUSED}; any other refusal fails, and a listed
 * refusal that does not happen fails too.
 */
@Tag("zoo")
class NhwcZooSweepTest {

    private static final Logger log = LoggerFactory.getLogger(NhwcZooSweepTest.class);
    private static final int BATCH = 2;
    private static final int CALIBRATION_IMAGES = 16;
    private static final double TOLERANCE = 1e-4;

    /**
     * The updater of the two steps: plain SGD, so that the layouts' rounding differences in the gradients move the
     * parameters by as little. Adam's first steps move each coefficient by about ±lr whatever its gradient's size,
     * so a near-zero gradient whose sign the other layout's summation order flips moves 2·lr the other way: with
     * Adam(1e-2) VGG16's outputs differed by 2.1e-4 of the largest after two steps, ResNet50's by 1.2e-2 once the
     * NHWC 1x1 convolutions ran as plain products.
     */
    private static final org.nd4j.linalg.learning.config.IUpdater UPDATER = new org.nd4j.linalg.learning.config.Sgd(1e-2);

    /** model name → a text the NHWC refusal must contain (both selections refuse alike). */
    static final Map<String, String> REFUSED = Map.of(
            "AlexNet", "\"layer1\" (LocalResponseNormalization) reads convolutional activations and has no NHWC form",
            "SqueezeNet", "\"fire2\" (MergeVertex) combines convolutional activations and has no NHWC form",
            "TinyYOLO", "\"outputs\" (Yolo2OutputLayer) reads convolutional activations and has no NHWC form",
            "YOLO2", "\"rearrange_21\" (SpaceToDepthLayer) reads convolutional activations and has no NHWC form",
            "UNet", "\"up6-1\" (Upsampling2D) reads convolutional activations and has no NHWC form",
            "Xception", "\"block2_sepconv1\" (SeparableConvolution2D) reads convolutional activations and has no NHWC",
            "InceptionResNetV1", "\"resnetA-merge1-1\" (MergeVertex) combines convolutional activations and has no NHWC",
            "FaceNetNN4Small2", "\"stem-lrn1\" (LocalResponseNormalization) reads convolutional activations and has no");

    @TestFactory
    List<DynamicTest> everyModelInNhwc() {
        String only = System.getProperty("nola.zooModels", "");
        List<String> names = only.isBlank() ? List.of() : List.of(only.split(","));
        return ZooSweepTest.models().stream().filter(m -> names.isEmpty() || names.contains(m.name()))
                .flatMap(m -> java.util.stream.Stream.of(false, true).map(adapt -> DynamicTest.dynamicTest(
                        m.name() + (adapt ? " every layer" : " head only"), () -> check(m, adapt))))
                .toList();
    }

    private static void check(ZooSweepTest.ZooCase m, boolean adapt) {
        long start = System.nanoTime();
        int size = m.sizes()[m.sizes().length - 1];
        Model base = m.zoo().apply(size).init();
        String name = m.name() + " " + size + "x" + size + (adapt ? " every layer" : " head only");
        try {
            Map<String, INDArray> baseBefore = Fixtures.snapshot(Fixtures.layersOf(base));
            INDArray x = ZooChecks.input(DataType.FLOAT, BATCH, m.channels(), size, size);
            INDArray calibration = ZooChecks.input(DataType.FLOAT, CALIBRATION_IMAGES, m.channels(), size, size);
            String refused = REFUSED.get(m.name());
            if (refused != null) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> transfer(base, m, adapt, CNN2DFormat.NHWC, calibration).build(),
                        name + ": NHWC build() should refuse");
                assertTrue(e.getMessage().contains(refused), name + ": " + e.getMessage());
                Fixtures.assertBitIdentical(baseBefore, Fixtures.snapshot(Fixtures.layersOf(base)), name + " base");
                log.info("{}: refused: {}", name, e.getMessage());
                return;
            }
            Map<CNN2DFormat, TransferResult<? extends Model>> nets = new EnumMap<>(CNN2DFormat.class);
            for (CNN2DFormat format : CNN2DFormat.values()) {
                try {
                    Nd4j.getRandom().setSeed(17); // calibration's dropout masks (SimpleCNN): the same for both
                    nets.put(format, transfer(base, m, adapt, format, calibration).build());
                } catch (IllegalArgumentException e) {
                    fail(name + " " + format + ": refused, but not listed in REFUSED: " + e.getMessage(), e);
                }
            }
            Model nchw = nets.get(CNN2DFormat.NCHW).network();
            TransferResult<? extends Model> nhwcResult = nets.get(CNN2DFormat.NHWC);
            Model nhwc = nhwcResult.network();
            String head = nets.get(CNN2DFormat.NCHW).headLayer();
            if (head != null) { // fresh heads: the same start for both
                layer(nhwc, head).setParams(layer(nchw, head).params().dup());
            }
            NhwcTransferTest.assertClose(output(nchw, x), output(nhwc, x), TOLERANCE, name);
            // dropout masks are drawn over each layout's own element order, so no seed gives both the same masks:
            // the two steps compare without dropout (SimpleCNN's dropout layers)
            for (Model net : List.of(nchw, nhwc)) {
                for (org.deeplearning4j.nn.api.Layer l : Fixtures.layersOf(net)) {
                    l.conf().getLayer().setIDropout(null);
                }
            }
            DataSet d = new DataSet(x, ZooChecks.labels(nchw, x, ZooSweepTest.CLASSES));
            ZooChecks.fit(nchw, d);
            ZooChecks.fit(nchw, d);
            ZooChecks.assertTwoStepsTrainOnlyTheAdapters(name + " NHWC", nhwcResult, d);
            INDArray after = output(nhwc, x);
            assertTrue(Double.isFinite(after.amaxNumber().doubleValue()), name + ": finite outputs");
            NhwcTransferTest.assertClose(output(nchw, x), after, TOLERANCE, name + ", after 2 steps");
            Fixtures.assertBitIdentical(baseBefore, Fixtures.snapshot(Fixtures.layersOf(base)), name + " base");
            log.info("{}: {} adapted, NHWC equal to NCHW before and after 2 steps, {} ms", name,
                    nhwcResult.adaptedLayers().size(), (System.nanoTime() - start) / 1_000_000);
            nchw.close();
            nhwc.close();
        } finally {
            base.close();
            System.gc();
        }
    }

    private static NolaTransfer<?> transfer(Model base, ZooSweepTest.ZooCase m, boolean adapt, CNN2DFormat format,
                                            INDArray calibration) {
        NolaTransfer<?> t = NolaTransfer.of(base).activationDataFormat(format).rank(2).numBases(8, 8)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(UPDATER).seed(5L).build());
        m.options().accept(t);
        if (java.util.Arrays.stream(Fixtures.layersOf(base)).anyMatch(l -> l.conf().getLayer()
                instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization)) {
            t.calibrateBatchNorm(calibration);
        }
        return adapt ? t.targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE).replaceHead(ZooSweepTest.headNOut(base))
                : t.replaceHead(ZooSweepTest.headNOut(base));
    }

    private static org.deeplearning4j.nn.api.Layer layer(Model net, String name) {
        return net instanceof ComputationGraph g ? g.getLayer(name) : ((MultiLayerNetwork) net).getLayer(name);
    }

    private static INDArray output(Model net, INDArray x) {
        return net instanceof ComputationGraph g ? g.outputSingle(false, x) : ((MultiLayerNetwork) net).output(x, false);
    }
}
