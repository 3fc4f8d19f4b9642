package io.github.nola4j.zoo;

import io.github.nola4j.layers.InputGradients;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.basis.BasisCache;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Carries out one {@link TransferOptions}: calibrates BatchNorm on a copy when asked, decides the
 * role of every layer (adapted, head, trainable, frozen, parameter-free), edits a copy of the
 * configuration, builds the new network and copies the pretrained parameters into it.
 */
final class TransferAssembler<M extends Model> {

    private static final Logger log = LoggerFactory.getLogger(TransferAssembler.class);

    private final TransferOptions t;
    private final NetworkEditor<M> editor;
    private final List<String> calibrated;

    /**
     * @param source  the network to adapt (only read)
     * @param options what to do
     */
    TransferAssembler(M source, TransferOptions options) {
        this.t = options;
        M base = source;
        if (options.calibrationFeatures() != null) {
            base = BatchNormCalibration.calibratedCopy(source, options.calibrationFeatures());
            this.calibrated = BatchNormCalibration.batchNormLayers(base);
        } else {
            this.calibrated = List.of();
        }
        if (options.activationDataFormat() == CNN2DFormat.NHWC) {
            base = NhwcRebuild.of(base);
        }
        this.editor = NetworkEditor.forModel(base);
    }

    TransferResult<M> assemble() {
        long start = System.nanoTime();
        List<LayerRef> layers = editor.layers();
        boolean noTargets = t.targets().isEmpty();
        if (noTargets && !t.replacesHead() && t.trainableNames().isEmpty() && t.trainablePatterns().isEmpty()) {
            throw new IllegalArgumentException("No NOLA targets given; call targetKinds(LayerKind.CONVOLUTION, "
                    + "LayerKind.DENSE), targetNames(..) or targetMatching(..) (or, without adapters, replaceHead(..) "
                    + "or trainable(..)). Layers: " + TargetSelector.listing(layers));
        }
        String head = t.replacesHead() ? resolveHead(layers) : null;
        if (t.headUpdater() != null && head == null) {
            throw new IllegalArgumentException("headUpdater(" + t.headUpdater() + ") is set but no head is replaced;"
                    + " call replaceHead(numClasses) or drop headUpdater(..)");
        }
        TargetSelector.Selection selection = noTargets ? new TargetSelector.Selection(List.of(), Map.of())
                : t.targets().select(layers, editor.forwardOrder());
        List<LayerRef> adapted = new ArrayList<>(selection.adapted());
        if (adapted.removeIf(l -> l.name().equals(head))) {
            log.info("NOLA: not adapting the head \"{}\", which is replaced and trains fully", head);
        }
        if (noTargets) {
            log.info("No adapter targets: a head-only or full fine-tuning transfer");
        } else if (adapted.isEmpty() && t.targets().onlyFrozenUpTo()) {
            if (!t.replacesHead() && t.trainableNames().isEmpty() && t.trainablePatterns().isEmpty()) {
                throw new IllegalArgumentException("Nothing trains: no convolution or dense layer to adapt comes after "
                        + "the frozen layers, and no head is replaced; add replaceHead(numClasses) for a new head, "
                        + "trainable(..) to train a layer fully, or freeze up to an earlier layer. Layers: "
                        + TargetSelector.listing(layers));
            }
            log.info("Nothing adaptable above the frozen layers: a head-only transfer");
        } else if (adapted.isEmpty()) {
            throw new IllegalArgumentException("The only layer selected for NOLA is the head \"" + head
                    + "\", which is replaced; select other layers among " + TargetSelector.listing(layers));
        }
        Map<String, LayerRef> trainable = resolveTrainable(layers, adapted);
        checkOutputLayer(layers);
        Set<String> trains = new HashSet<>(trainable.keySet());
        adapted.forEach(ref -> trains.add(ref.name()));
        if (head != null) {
            trains.add(head);
        }
        Set<String> noGradient = editor.withoutTrainableUpstream(trains);

        List<NolaLayer> nolaLayers = new ArrayList<>();
        Set<String> leftOff = new TreeSet<>();
        for (LayerRef ref : layers) {
            Layer replacement;
            if (adapted.contains(ref)) {
                NolaLayerFactory.regularizationLeftOff(ref.conf(), t.fineTune()).forEach(r -> leftOff.add(r.toString()));
                Layer adapter = NolaLayerFactory.create(ref.conf(), t.specFor(ref.name()), t.fineTune());
                if (adapter instanceof NolaLayer nola) {
                    nolaLayers.add(nola);
                }
                replacement = adapter;
            } else if (ref.name().equals(head)) {
                FeedForwardLayer copy = (FeedForwardLayer) ref.conf().clone();
                copy.setNOut(t.headNOut());
                replacement = copy;
            } else if (trainable.containsKey(ref.name())) {
                replacement = ref.conf() instanceof BatchNormalization bn && t.freezeBatchNormStatistics()
                        ? LayerFreezing.freezeRunningStatistics(bn) : ref.conf().clone();
            } else if (ref.numParams() > 0) {
                replacement = LayerFreezing.freeze(ref.conf(), !noGradient.contains(ref.name()));
            } else {
                continue; // parameterless: see skipInBackprop below
            }
            editor.replace(ref.name(), replacement);
            applyFineTune(ref.name(), ref.name().equals(head) || trainable.containsKey(ref.name()));
            if (ref.name().equals(head) && t.headUpdater() != null) {
                BaseLayer headConf = (BaseLayer) editor.editable(head).getLayer();
                headConf.setIUpdater(t.headUpdater().clone());
                headConf.setBiasUpdater(t.headUpdater().clone());
            }
        }
        Set<String> frozenWithParams = new HashSet<>();
        layers.stream().filter(ref -> ref.numParams() > 0).forEach(ref -> frozenWithParams.add(ref.name()));
        noGradient.stream().filter(name -> !frozenWithParams.contains(name)).forEach(editor::skipInBackprop);
        if (!leftOff.isEmpty()) {
            log.info("Adapters get no regularisation; left off the adapted layers' {} (set l1, l2 or weight decay"
                    + " in the FineTuneConfiguration to regularise them)", leftOff);
        }
        if (t.outputLoss() != null) {
            // a NoOp updater: DL4J's JSON reader takes a BaseLayer without updater for a legacy format and fails
            editor.appendLossLayer(new LossLayer.Builder(t.outputLoss()).activation(Activation.IDENTITY)
                    .updater(new NoOp()).build());
        }
        if (t.fineTune() != null) {
            editor.applyGlobal(t.fineTune());
        }
        reserveBases(nolaLayers, editor.source().params().dataType());
        M network = editor.build(head == null ? List.of() : List.of(head));
        skipUnusedInputGradients(network);

        TrainableSummary summary = TrainableSummary.of(network);
        log.info("Adapter transfer built in {} ms:\n{}\n  {}", (System.nanoTime() - start) / 1_000_000, summary,
                FrozenRuntimeListing.of(network));
        Map<String, Integer> bits = new LinkedHashMap<>();
        adapted.forEach(ref -> bits.put(ref.name(), t.specFor(ref.name()).quantizationBits()));
        TransferSettings settings = new TransferSettings(head, t.headNOut(),
                t.outputLoss() == null ? null : t.outputLoss().name(), List.copyOf(trainable.keySet()),
                t.freezeBatchNormStatistics(), bits, calibrated);
        return new TransferResult<>(network, summary.adaptedLayers(), selection.skipped(), head, summary, settings);
    }

    /** The lowest adapted layers have nothing trainable below: their dL/dx is not computed ({@link InputGradients}). */
    private static void skipUnusedInputGradients(Model network) {
        if (network instanceof ComputationGraph graph) {
            InputGradients.skipUnused(graph);
        } else if (network instanceof MultiLayerNetwork net) {
            InputGradients.skipUnused(net);
        }
    }

    private String resolveHead(List<LayerRef> layers) {
        String name = t.headName() != null ? t.headName() : editor.defaultHead();
        LayerRef ref = layers.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("No layer named \"" + name + "\" to use as the head; use one of "
                        + TargetSelector.listing(layers)));
        if (!(ref.conf() instanceof FeedForwardLayer) || ref.numParams() == 0
                || ref.conf() instanceof BatchNormalization) {
            throw new IllegalArgumentException("Layer " + ref.describe() + " cannot be the head: it needs weights "
                    + "and an nOut (an OutputLayer, DenseLayer or ConvolutionLayer); name another with "
                    + "replaceHead(layerName, nOut)");
        }
        layers.stream().filter(l -> l.conf() instanceof Yolo2OutputLayer).findFirst()
                .ifPresent(yolo -> requireYoloHead(ref, (Yolo2OutputLayer) yolo.conf()));
        return name;
    }

    /**
     * A YOLO head predicts, per grid cell and anchor box, 4 box coordinates, a confidence and C class
     * scores: nOut = boxes · (5 + C), C ≥ 1; any other nOut fails only at fit, deep in Yolo2OutputLayer.
     */
    private void requireYoloHead(LayerRef head, Yolo2OutputLayer yolo) {
        long boxes = yolo.getBoundingBoxes().size(0);
        long nOut = t.headNOut();
        if (nOut % boxes != 0 || nOut / boxes < 6) {
            throw new IllegalArgumentException("replaceHead(" + nOut + ") on layer " + head.describe() + ": the network"
                    + " ends in a Yolo2OutputLayer with " + boxes + " anchor boxes, so the head's nOut must be boxes · (5"
                    + " + classes), e.g. " + boxes * 10 + " for 5 classes; call replaceHead(\"" + head.name() + "\", "
                    + boxes + " * (5 + numClasses))");
        }
    }

    private Map<String, LayerRef> resolveTrainable(List<LayerRef> layers, List<LayerRef> adapted) {
        Map<String, LayerRef> byName = new HashMap<>();
        layers.forEach(l -> byName.put(l.name(), l));
        Map<String, LayerRef> out = new LinkedHashMap<>();
        for (String n : t.trainableNames()) {
            LayerRef ref = byName.get(n);
            if (ref == null) {
                throw new IllegalArgumentException("No layer named \"" + n + "\" to keep trainable; use one of "
                        + TargetSelector.listing(layers));
            }
            out.put(n, ref);
        }
        layers.stream().filter(l -> TargetSelector.anyMatch(t.trainablePatterns(), l.name()))
                .forEach(l -> out.put(l.name(), l));
        for (LayerRef ref : out.values()) {
            if (adapted.contains(ref)) {
                throw new IllegalArgumentException("Layer \"" + ref.name() + "\" is both a NOLA target and trainable;"
                        + " exclude it from the targets or from trainable(..)");
            }
        }
        return out;
    }

    private void checkOutputLayer(List<LayerRef> layers) {
        if (!(editor.source() instanceof MultiLayerNetwork net) || t.outputLoss() != null) {
            return;
        }
        if (!(net.getOutputLayer() instanceof IOutputLayer)) {
            throw new IllegalArgumentException("The network ends in " + layers.get(layers.size() - 1).describe()
                    + ", not an output layer, so it cannot be fit; add one with outputLoss(LossFunction.MCXENT)");
        }
    }

    private void applyFineTune(String name, boolean trainsFully) {
        if (t.fineTune() == null) {
            return;
        }
        NeuralNetConfiguration nnc = editor.editable(name);
        t.fineTune().applyToNeuralNetConfiguration(nnc);
        if (!trainsFully) {
            nnc.getLayer().setConstraints(null); // constraints would move frozen W and b
        }
    }

    private static void reserveBases(List<NolaLayer> layers, DataType dataType) {
        Map<List<Object>, long[]> widest = new HashMap<>();
        for (NolaLayer l : layers) {
            List<Object> family = List.of(l.getBasisSeed(), l.getRank(), l.getNumBasesA(), l.getNumBasesB());
            long[] w = widest.computeIfAbsent(family, f -> new long[2]);
            w[0] = Math.max(w[0], l.fanIn());
            w[1] = Math.max(w[1], l.getNOut());
        }
        widest.forEach((f, w) -> BasisCache.reserve((Long) f.get(0), (Integer) f.get(1), (Integer) f.get(2),
                (Integer) f.get(3), w[0], w[1], dataType));
    }
}
