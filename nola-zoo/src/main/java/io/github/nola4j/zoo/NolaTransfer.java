package io.github.nola4j.zoo;

import io.github.nola4j.layers.attention.AttentionProjection;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Turns a pretrained network into one that fine-tunes only adapter coefficients and a new head, in
 * the style of DL4J's {@code TransferLearning} builders:
 * <pre>
 *   TransferResult&lt;ComputationGraph&gt; r = NolaTransfer.of(ResNet50.builder().build().init())
 *       .targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
 *       .rank(4).numBases(64, 64).basisSeed(42).scale(0.25)
 *       .override("res5.*", s -&gt; s.withRank(8))
 *       .replaceHead(5)
 *       .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).build())
 *       .build();
 *   r.network().fit(trainIterator);
 *   r.saveAdapter(Path.of("task.nola"), WriteOptions.fp32());
 *   // later, from the same base and the file alone:
 *   TransferResult&lt;ComputationGraph&gt; again = NolaTransfer.of(base).restore(Path.of("task.nola"));
 * </pre>
 * Each selected {@code DenseLayer} / {@code ConvolutionLayer} becomes a {@code NolaDense} /
 * {@code NolaConv2d} (or, with {@link #kind(AdapterKind) kind(LORA)}, a {@code LoraDense} /
 * {@code LoraConv2d}), each attention layer a {@code NolaAttention} on its {@link #attentionProjections},
 * holding the pretrained weights, so the new network computes what the old
 * one did until the adapter moves. Layers that are neither adapted, nor the head, nor listed with
 * {@link #trainable} are frozen: their parameters stay bit-identical in {@code fit()} and they
 * run in inference mode (no dropout; BatchNorm on its running statistics), while gradients still
 * flow through them to adapters below. The input network is never modified.
 *
 * <p>This class only collects options; {@link #build()} freezes them into a {@link TransferOptions}
 * record that {@link TransferAssembler} carries out.
 *
 * @param <M> MultiLayerNetwork, ComputationGraph, or Model when started from {@link #of(Model)}
 */
public final class NolaTransfer<M extends Model> {

    private final M source;
    private final TargetSelector targets = new TargetSelector();
    private final AdapterSpecCalls spec = new AdapterSpecCalls();
    private final List<TransferOptions.SpecOverride> overrides = new ArrayList<>();
    private String headName;
    private long headNOut;
    private LossFunctions.LossFunction outputLoss;
    private final Set<String> trainableNames = new LinkedHashSet<>();
    private final List<Pattern> trainablePatterns = new ArrayList<>();
    private boolean freezeBatchNormStatistics = true;
    private FineTuneConfiguration fineTune;
    private IUpdater headUpdater;
    private INDArray calibrationFeatures;
    private CNN2DFormat activationDataFormat = CNN2DFormat.NCHW;

    private NolaTransfer(M source) {
        this.source = source;
    }

    /** Starts a transfer from a MultiLayerNetwork (which is only read). */
    public static NolaTransfer<MultiLayerNetwork> of(MultiLayerNetwork network) {
        return new NolaTransfer<>(Objects.requireNonNull(network, "network"));
    }

    /** Starts a transfer from a ComputationGraph (which is only read). */
    public static NolaTransfer<ComputationGraph> of(ComputationGraph graph) {
        return new NolaTransfer<>(Objects.requireNonNull(graph, "graph"));
    }

    /**
     * Starts a transfer from a model typed only as {@link Model}, as zoo {@code init()} and
     * {@code initPretrained()} return it; {@link TransferResult#multiLayerNetwork()} and
     * {@link TransferResult#computationGraph()} give the result its type back.
     *
     * @throws IllegalArgumentException for a model that is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static NolaTransfer<Model> of(Model model) {
        NetworkEditor.forModel(model); // fails early, naming the type
        return new NolaTransfer<>(model);
    }

    /** Adapts the layers with these exact names (an unknown name is an error at build). */
    public NolaTransfer<M> targetNames(String... names) {
        targets.names(names);
        return this;
    }

    /** Adapts the layers whose whole name matches this regular expression. */
    public NolaTransfer<M> targetMatching(String regex) {
        targets.matching(regex);
        return this;
    }

    /** Adapts every layer of these kinds; variants that cannot be adapted are skipped and logged. */
    public NolaTransfer<M> targetKinds(LayerKind... kinds) {
        targets.kinds(kinds);
        return this;
    }

    /**
     * "Freeze up to here": adapts only layers after {@code layerName} in DL4J's forward order (a
     * graph's topological order), as DL4J's {@code setFeatureExtractor(layerName)} keeps it and
     * every layer before it frozen. Combines with the other targets; alone, it adapts every
     * convolution, dense and attention layer after {@code layerName}. An unknown name is an error at build.
     */
    public NolaTransfer<M> frozenUpTo(String layerName) {
        targets.frozenUpTo(layerName);
        return this;
    }

    /** Never adapts the layers with these names. */
    public NolaTransfer<M> exclude(String... names) {
        targets.exclude(names);
        return this;
    }

    /** Never adapts the layers whose whole name matches this regular expression. */
    public NolaTransfer<M> excludeMatching(String regex) {
        targets.excludeMatching(regex);
        return this;
    }

    /** Sets every adapter option at once; call it before rank(..), numBases(..) and the like, which refine it. */
    public NolaTransfer<M> adapter(AdapterSpec adapterSpec) {
        spec.setAll(adapterSpec);
        return this;
    }

    /** NOLA (default) or LoRA adapters. */
    public NolaTransfer<M> kind(AdapterKind kind) {
        spec.set("kind", String.valueOf(kind), s -> s.withKind(kind));
        return this;
    }

    /** Rank r of ΔW (&gt; 0). Default 4. */
    public NolaTransfer<M> rank(int rank) {
        spec.set("rank", String.valueOf(rank), s -> s.withRank(rank));
        return this;
    }

    /** Numbers k and l of bases of A and B (&gt; 0); k + l coefficients train per layer. Default 64, 64. */
    public NolaTransfer<M> numBases(int k, int l) {
        spec.set("numBases", k + ", " + l, s -> s.withNumBases(k, l));
        return this;
    }

    /** Seed of the frozen random bases (NOLA) or of A's initial values (LoRA). */
    public NolaTransfer<M> basisSeed(long seed) {
        spec.set("basisSeed", String.valueOf(seed), s -> s.withBasisSeed(seed));
        return this;
    }

    /** Scale s of s·A·B (finite, non-zero). Default 1/r, following {@link #rank} until set. */
    public NolaTransfer<M> scale(double scale) {
        spec.set("scale", String.valueOf(scale), s -> s.withScale(scale));
        return this;
    }

    /**
     * Quantisation-aware training of the NOLA coefficients at {@code bits} (2 to 8; 0, the default,
     * turns it off), so an adapter saved with {@code WriteOptions.quantized(bits)} keeps its accuracy.
     */
    public NolaTransfer<M> quantizationBits(int bits) {
        spec.set("quantizationBits", String.valueOf(bits), s -> s.withQuantizationBits(bits));
        return this;
    }

    /** Projections of attention layers to adapt: q, k, v, o (or Wq, Wk, Wv, Wo). Default q and v, as the paper's ViT. */
    public NolaTransfer<M> attentionProjections(String... names) {
        spec.set("attentionProjections", names == null ? "null" : String.join(", ", names),
                s -> s.withAttentionProjections(AttentionProjection.parseAll(names)));
        return this;
    }

    /** Changes the adapter options of layers whose whole name matches {@code regex}; the first match wins. */
    public NolaTransfer<M> override(String regex, UnaryOperator<AdapterSpec> change) {
        overrides.add(new TransferOptions.SpecOverride(TargetSelector.compile(regex, "override"),
                Objects.requireNonNull(change, "change")));
        return this;
    }

    /** Replaces the head (the last layer with parameters on the path to the output) by a fresh trainable copy. */
    public NolaTransfer<M> replaceHead(long nOut) {
        return replaceHead(null, nOut);
    }

    /** Replaces layer {@code layerName} by a freshly initialised, trainable copy with {@code nOut} outputs. */
    public NolaTransfer<M> replaceHead(String layerName, long nOut) {
        this.headName = layerName;
        this.headNOut = TransferOptions.checkedHeadNOut(nOut);
        return this;
    }

    /**
     * Appends a LossLayer (identity activation) with this loss, for a MultiLayerNetwork that ends without an
     * output layer (e.g. zoo SimpleCNN, which ends in a softmax ActivationLayer).
     */
    public NolaTransfer<M> outputLoss(LossFunctions.LossFunction loss) {
        this.outputLoss = Objects.requireNonNull(loss, "loss");
        return this;
    }

    /** Keeps these layers fully trainable (PEFT's modules_to_save), e.g. BatchNormalization layers. */
    public NolaTransfer<M> trainable(String... names) {
        trainableNames.addAll(List.of(names));
        return this;
    }

    /** Keeps the layers whose whole name matches {@code regex} fully trainable. */
    public NolaTransfer<M> trainableMatching(String regex) {
        trainablePatterns.add(TargetSelector.compile(regex, "trainable"));
        return this;
    }

    /** Whether BatchNorm layers kept {@link #trainable} keep their running statistics fixed (γ, β train). Default true. */
    public NolaTransfer<M> freezeBatchNormStatistics(boolean freeze) {
        this.freezeBatchNormStatistics = freeze;
        return this;
    }

    /**
     * Sets every BatchNormalization layer's running mean and variance from this batch of real inputs before adapting
     * ({@link BatchNormCalibration}; saved with the adapter). For random-init models only, whose statistics 0 and 1
     * normalise nothing, so training can diverge; pretrained models keep theirs.
     * @param features inputs of the network's input shape, e.g. [n, c, h, w] with n of 100 or more
     */
    public NolaTransfer<M> calibrateBatchNorm(INDArray features) {
        this.calibrationFeatures = BatchNormCalibration.checkedBatch(features);
        return this;
    }

    /**
     * NHWC: convolutions, BatchNorm, pooling and residual sums on [mb, h, w, c] activations ({@link NhwcRebuild}), which
     * libnd4j's oneDNN convolution takes without reorders; the input stays NCHW, the parameters as they are. Default NCHW.
     */
    public NolaTransfer<M> activationDataFormat(CNN2DFormat format) {
        this.activationDataFormat = Objects.requireNonNull(format, "format: CNN2DFormat.NCHW or NHWC");
        return this;
    }

    /** Updater, regularisation, seed and other training settings for the trainable parts. */
    public NolaTransfer<M> fineTuneConfiguration(FineTuneConfiguration configuration) {
        this.fineTune = configuration;
        return this;
    }

    /**
     * Trains the new head with its own updater, e.g. {@code new Adam(1e-2)} while the adapters use the fine-tune
     * configuration's rate, so that tuning the adapters' learning rate leaves the head alone. Needs {@link #replaceHead}.
     */
    public NolaTransfer<M> headUpdater(IUpdater updater) {
        this.headUpdater = Objects.requireNonNull(updater, "updater");
        return this;
    }

    /**
     * @return the new network and what was done
     * @throws IllegalArgumentException for any invalid choice; the input network is left unchanged
     */
    public TransferResult<M> build() {
        return new TransferAssembler<>(source, options()).assemble();
    }

    /**
     * Rebuilds the adapted network of an adapter file saved from a network this class built
     * ({@link TransferResult#saveAdapter}, or {@code AdapterFiles.save} on it), NOLA or LoRA,
     * from this base and the file alone (as PEFT's {@code from_pretrained}): the targets, head,
     * trainable layers and adapter options come from the settings the file stores, and the file's
     * coefficients and saved layers are loaded into the result. Only {@link #fineTuneConfiguration}
     * (to train the result further) and {@link #activationDataFormat} of this builder are used.
     *
     * @throws IllegalArgumentException if targets, a head or trainable layers were also set here
     * @throws io.github.nola4j.layers.adapter.format.AdapterFormatException if the file is not an adapter
     *                                  or holds no transfer settings (not saved from a transfer's network)
     * @throws io.github.nola4j.layers.adapter.AdapterMismatchException if the file was trained on another base
     */
    public TransferResult<M> restore(Path adapterFile) throws IOException {
        return AdapterRestore.restore(source, adapterFile, options());
    }

    private TransferOptions options() {
        return new TransferOptions(targets.copy(), spec.spec(), overrides, headName, headNOut, outputLoss, trainableNames,
                trainablePatterns, freezeBatchNormStatistics, fineTune, headUpdater, calibrationFeatures,
                activationDataFormat);
    }
}
