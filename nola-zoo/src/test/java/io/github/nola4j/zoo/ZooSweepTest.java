package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.FaceNetNN4Small2;
import org.deeplearning4j.zoo.model.InceptionResNetV1;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.TinyYOLO;
import org.deeplearning4j.zoo.model.UNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.deeplearning4j.zoo.model.Xception;
import org.deeplearning4j.zoo.model.YOLO2;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every zoo model NolaTransfer supports, at its smallest working input and one larger, in float,
 * times the selections users make, each with its own output layer kept (frozen) and with a new head:
 * every convolution and dense layer; dense layers only; the top block (frozen up to the layer before
 * the last three adaptable ones, as {@code setFeatureExtractor}); a regex naming the lowest and the
 * highest adaptable layer (adapters at both ends, frozen layers between); head only (a new head, no
 * adapters). Each case builds, fits twice with its frozen parameters bit-identical and its lowest
 * coefficients moved, leaves the base as it was, and a saved copy trains on to the same bits
 * ({@link ZooChecks}). A case that cannot work must be refused at {@code build()} with an
 * IllegalArgumentException naming the layer and the fix; the refusals expected are listed in
 * {@link #REFUSED}, and any other refusal fails.
 *
 * <p>Smallest inputs found by trying 8, 12, 16, ... pixels: below them DL4J's zoo configuration
 * itself fails (a dense layer with nIn = 0, a pooling window larger than its input).
 */
@Tag("zoo")
class ZooSweepTest {

    private static final Logger log = LoggerFactory.getLogger(ZooSweepTest.class);
    static final int CLASSES = 5;
    private static final int BATCH = 2;
    private static final int CALIBRATION_IMAGES = 16;

    /** One zoo model: how to build it at a size, its channels, sizes, and options every transfer of it needs. */
    record ZooCase(String name, IntFunction<ZooModel<?>> zoo, int channels, int[] sizes,
                  Consumer<NolaTransfer<?>> options) {
    }

    /** One selection of layers to adapt, given the base's adaptable layers in forward order. */
    record Selection(String name, boolean needsDense, SelectionTargets targets) {
    }

    interface SelectionTargets {
        void apply(NolaTransfer<?> t, List<String> adaptable, List<String> forwardOrder);
    }

    /** "model size selection head" → a text the refusal must contain; the reason in the comment. */
    static final Map<String, String> REFUSED = Map.ofEntries(
            // FaceNet's and InceptionResNetV1's output layer is a CenterLossOutputLayer, which DL4J's frozen
            // wrapper cannot hold
            Map.entry("FaceNetNN4Small2/own head", "\"lossLayer\" (CenterLossOutputLayer) cannot be frozen"),
            Map.entry("InceptionResNetV1/own head", "\"outputLayer\" (CenterLossOutputLayer) cannot be frozen"),
            // no DenseLayer below the output layer: nothing to select
            Map.entry("SimpleCNN/dense layers", "No layer matched the NOLA targets"),
            Map.entry("ResNet50/dense layers", "No layer matched the NOLA targets"),
            Map.entry("SqueezeNet/dense layers", "No layer matched the NOLA targets"),
            Map.entry("Darknet19/dense layers", "No layer matched the NOLA targets"),
            Map.entry("TinyYOLO/dense layers", "No layer matched the NOLA targets"),
            Map.entry("YOLO2/dense layers", "No layer matched the NOLA targets"),
            Map.entry("UNet/dense layers", "No layer matched the NOLA targets"),
            Map.entry("Xception/dense layers", "No layer matched the NOLA targets"));

    static List<ZooCase> models() {
        Consumer<NolaTransfer<?>> none = t -> { };
        return List.of(
                new ZooCase("LeNet", s -> LeNet.builder().numClasses(CLASSES).inputShape(new int[] {1, s, s}).build(),
                        1, new int[] {8, 28}, none),
                new ZooCase("SimpleCNN", s -> SimpleCNN.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {8, 48}, t -> t.outputLoss(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)),
                new ZooCase("AlexNet", s -> AlexNet.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {48, 64}, none),
                new ZooCase("VGG16", s -> VGG16.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s}).build(),
                        3, new int[] {8, 32}, none),
                new ZooCase("VGG19", s -> VGG19.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s}).build(),
                        3, new int[] {8, 32}, none),
                new ZooCase("ResNet50", s -> ResNet50.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {71, 96}, none),
                new ZooCase("SqueezeNet", s -> SqueezeNet.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {24, 64}, none),
                new ZooCase("Darknet19", s -> Darknet19.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {8, 32}, none),
                new ZooCase("TinyYOLO", s -> TinyYOLO.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {8, 32}, none),
                new ZooCase("YOLO2", s -> YOLO2.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s}).build(),
                        3, new int[] {20, 64}, none),
                new ZooCase("UNet", s -> UNet.builder().inputShape(new int[] {3, s, s}).build(), 3,
                        new int[] {16, 32}, none),
                new ZooCase("Xception", s -> Xception.builder().numClasses(CLASSES).inputShape(new int[] {3, s, s})
                        .build(), 3, new int[] {8, 16}, none),
                new ZooCase("InceptionResNetV1", s -> InceptionResNetV1.builder().numClasses(CLASSES)
                        .inputShape(new int[] {3, s, s}).build(), 3, new int[] {80, 96}, none),
                new ZooCase("FaceNetNN4Small2", s -> FaceNetNN4Small2.builder().numClasses(CLASSES)
                        .inputShape(new int[] {3, s, s}).build(), 3, new int[] {8, 64}, none));
    }

    static List<Selection> selections() {
        return List.of(
                new Selection("every layer", false, (t, a, order) -> t.targetKinds(LayerKind.CONVOLUTION,
                        LayerKind.DENSE)),
                new Selection("dense layers", true, (t, a, order) -> t.targetKinds(LayerKind.DENSE)),
                new Selection("top block", false, (t, a, order) -> t.frozenUpTo(
                        order.get(order.indexOf(a.get(Math.max(1, a.size() - 3))) - 1))),
                new Selection("regex", false, (t, a, order) -> t.targetMatching(Pattern.quote(a.get(0)) + "|"
                        + Pattern.quote(a.get(a.size() - 1)))));
    }

    @TestFactory
    Stream<DynamicNode> everyModelSizeAndSelection() {
        String only = System.getProperty("nola.zooModels", "");
        List<String> names = only.isBlank() ? List.of() : List.of(only.split(","));
        return models().stream().filter(m -> names.isEmpty() || names.contains(m.name())).flatMap(m ->
                java.util.Arrays.stream(m.sizes()).mapToObj(size -> DynamicTest.dynamicTest(m.name() + " "
                        + size + "x" + size, () -> sweep(m, size))));
    }

    /** Every selection on one base, built once (the base must stay bit-identical through them all). */
    private static void sweep(ZooCase m, int size) {
        long start = System.nanoTime();
        Model base = m.zoo().apply(size).init();
        try {
            List<String> order = forwardOrder(base);
            List<String> adaptable = adaptableBelowTheOutput(base, order);
            Map<String, INDArray> baseBefore = Fixtures.snapshot(Fixtures.layersOf(base));
            INDArray x = ZooChecks.input(DataType.FLOAT, BATCH, m.channels(), size, size);
            List<String> lines = new ArrayList<>();
            for (Selection s : selections()) {
                for (boolean newHead : new boolean[] {false, true}) {
                    String name = m.name() + " " + size + "x" + size + " " + s.name() + (newHead ? ", new head"
                            : ", own head");
                    lines.add(run(name, m, s, newHead, base, adaptable, order, x));
                    Fixtures.assertBitIdentical(baseBefore, Fixtures.snapshot(Fixtures.layersOf(base)), name + " base");
                }
            }
            String headOnly = m.name() + " " + size + "x" + size + " head only";
            lines.add(run(headOnly, m, null, true, base, adaptable, order, x));
            Fixtures.assertBitIdentical(baseBefore, Fixtures.snapshot(Fixtures.layersOf(base)), headOnly + " base");
            log.info("{} {}x{}: {} params, {} ms\n  {}", m.name(), size, size, base.numParams(),
                    (System.nanoTime() - start) / 1_000_000, String.join("\n  ", lines));
        } finally {
            base.close();
            System.gc();
        }
    }

    /** @return one line: what was adapted, or the refusal, and the time */
    private static String run(String name, ZooCase m, Selection s, boolean newHead, Model base, List<String> adaptable,
                              List<String> order, INDArray x) {
        long start = System.nanoTime();
        NolaTransfer<?> t = base instanceof MultiLayerNetwork mln ? NolaTransfer.of(mln)
                : NolaTransfer.of((ComputationGraph) base);
        if (s != null) {
            s.targets().apply(t, adaptable, order);
        }
        t.rank(2).numBases(8, 8).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-2))
                .seed(5L).build());
        m.options().accept(t);
        if (hasBatchNorm(base)) {
            // as the README says for a random-init base: zoo init()'s statistics give NaN (ResNet50); statistics
            // of the 2-image batch are degenerate on 1x1 maps (SimpleCNN 8x8 then overflowed), so 16 images
            t.calibrateBatchNorm(ZooChecks.input(DataType.FLOAT, CALIBRATION_IMAGES, x.size(1), x.size(2), x.size(3)));
        }
        if (newHead) {
            t.replaceHead(headNOut(base));
        }
        String refused = REFUSED.entrySet().stream().filter(e -> name.startsWith(e.getKey().split("/")[0] + " ")
                && name.contains(" " + e.getKey().split("/")[1])).map(Map.Entry::getValue).findFirst().orElse(null);
        if (refused != null) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::build,
                    name + ": build() should refuse");
            assertTrue(e.getMessage().contains(refused), name + ": " + e.getMessage());
            return name + ": refused at build(): " + e.getMessage().substring(0, Math.min(160, e.getMessage().length()));
        }
        TransferResult<? extends Model> r;
        try {
            r = t.build();
        } catch (IllegalArgumentException e) {
            fail(name + ": refused, but not listed in REFUSED: " + e.getMessage(), e);
            return null;
        }
        try {
            DataSet d = new DataSet(x, ZooChecks.labels(r.network(), x, CLASSES));
            List<String> moved = ZooChecks.assertTwoStepsTrainOnlyTheAdapters(name, r, d);
            ZooChecks.assertSavedCopyTrainsOnIdentically(name, r.network(), d);
            assertEquals(newHead, r.headLayer() != null, name + ": head");
            return name + ": " + r.adaptedLayers().size() + " adapted, " + moved.size() + " coefficient arrays moved, "
                    + (System.nanoTime() - start) / 1_000_000 + " ms";
        } finally {
            r.network().close();
        }
    }

    private static boolean hasBatchNorm(Model base) {
        return java.util.Arrays.stream(Fixtures.layersOf(base))
                .anyMatch(l -> l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization);
    }

    /** @return the new head's nOut: CLASSES, or for a YOLO network boxes · (5 + CLASSES), as its head predicts */
    static long headNOut(Model base) {
        org.deeplearning4j.nn.api.Layer[] layers = Fixtures.layersOf(base);
        Layer last = layers[layers.length - 1].conf().getLayer();
        return last instanceof Yolo2OutputLayer yolo ? yolo.getBoundingBoxes().size(0) * (5 + CLASSES) : CLASSES;
    }

    /** @return the layer names in DL4J's forward order (a graph's topological order, layers only) */
    private static List<String> forwardOrder(Model base) {
        if (base instanceof MultiLayerNetwork mln) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < mln.getLayers().length; i++) {
                names.add(NetworkEditor.nameOf(mln.getLayer(i).conf().getLayer(), i));
            }
            return names;
        }
        ComputationGraph cg = (ComputationGraph) base;
        List<String> names = new ArrayList<>();
        for (int index : cg.topologicalSortOrder()) {
            GraphVertex v = cg.getVertices()[index];
            if (v.hasLayer()) {
                names.add(v.getVertexName());
            }
        }
        return names;
    }

    /** @return the layers NOLA can adapt, in forward order, without the output layers (which a new head replaces) */
    private static List<String> adaptableBelowTheOutput(Model base, List<String> order) {
        Map<String, org.deeplearning4j.nn.api.Layer> layers = NetworkEditor.layersOf(base);
        return order.stream().filter(n -> {
            Layer conf = layers.get(n).conf().getLayer();
            return !(conf instanceof BaseOutputLayer) && LayerKind.familyOf(conf).isPresent()
                    && LayerKind.whyNotAdaptable(conf).isEmpty();
        }).toList();
    }
}
