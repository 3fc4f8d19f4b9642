package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Turns a pretrained network into one that fine-tunes only NOLA coefficients and a new head, in
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
 *   log.info("{}", r.summary());
 * </pre>
 * Each selected {@code DenseLayer} / {@code ConvolutionLayer} becomes a {@code NolaDense} /
 * {@code NolaConv2d} holding the pretrained W and b, so the new network computes what the old
 * one did until β moves. Layers that are neither adapted, nor the head, nor listed with
 * {@link #trainable} are frozen: their parameters stay bit-identical in {@code fit()} and they
 * run in inference mode (no dropout; BatchNorm on its running statistics), while gradients still
 * flow through them to adapters below. The input network is never modified.
 *
 * @param <M> MultiLayerNetwork or ComputationGraph
 */
public final class NolaTransfer<M extends Model> {

    final NetworkEditor<M> editor;
    final TargetSelector targets = new TargetSelector();
    AdapterSpec spec = AdapterSpec.DEFAULT;
    final List<SpecOverride> overrides = new ArrayList<>();
    String headName;
    long headNOut;
    LossFunctions.LossFunction outputLoss;
    final Set<String> trainableNames = new LinkedHashSet<>();
    final List<Pattern> trainablePatterns = new ArrayList<>();
    boolean freezeBatchNormStatistics = true;
    FineTuneConfiguration fineTune;

    /** A per-layer change of the adapter options, for layer names matching a pattern. */
    record SpecOverride(Pattern pattern, UnaryOperator<AdapterSpec> change) {
    }

    private NolaTransfer(NetworkEditor<M> editor) {
        this.editor = editor;
    }

    /** Starts a transfer from a MultiLayerNetwork (which is only read). */
    public static NolaTransfer<MultiLayerNetwork> of(MultiLayerNetwork network) {
        return new NolaTransfer<>(new MultiLayerEditor(Objects.requireNonNull(network, "network")));
    }

    /** Starts a transfer from a ComputationGraph (which is only read). */
    public static NolaTransfer<ComputationGraph> of(ComputationGraph graph) {
        return new NolaTransfer<>(new GraphEditor(Objects.requireNonNull(graph, "graph")));
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

    /** Sets every adapter option at once. */
    public NolaTransfer<M> adapter(AdapterSpec adapterSpec) {
        this.spec = Objects.requireNonNull(adapterSpec, "adapterSpec");
        return this;
    }

    /** Rank r of ΔW (&gt; 0). Default 4. */
    public NolaTransfer<M> rank(int rank) {
        spec = spec.withRank(rank);
        return this;
    }

    /** Numbers k and l of bases of A and B (&gt; 0); k + l coefficients train per layer. Default 64, 64. */
    public NolaTransfer<M> numBases(int k, int l) {
        spec = spec.withNumBases(k, l);
        return this;
    }

    /** Seed of the frozen random bases. */
    public NolaTransfer<M> basisSeed(long seed) {
        spec = spec.withBasisSeed(seed);
        return this;
    }

    /** Scale s of s·A·B (finite, non-zero). Default 1. */
    public NolaTransfer<M> scale(double scale) {
        spec = spec.withScale(scale);
        return this;
    }

    /** Changes the adapter options of layers whose whole name matches {@code regex}; the first match wins. */
    public NolaTransfer<M> override(String regex, UnaryOperator<AdapterSpec> change) {
        overrides.add(new SpecOverride(TargetSelector.compile(regex, "override"), Objects.requireNonNull(change)));
        return this;
    }

    /**
     * Replaces the head (the last layer with parameters on the path to the output) by a freshly
     * initialised, trainable copy with {@code nOut} outputs.
     */
    public NolaTransfer<M> replaceHead(long nOut) {
        return replaceHead(null, nOut);
    }

    /** Replaces layer {@code layerName} by a freshly initialised, trainable copy with {@code nOut} outputs. */
    public NolaTransfer<M> replaceHead(String layerName, long nOut) {
        if (nOut <= 0) {
            throw new IllegalArgumentException("Head nOut = " + nOut + " must be > 0; pass the number of classes, "
                    + "e.g. replaceHead(10)");
        }
        this.headName = layerName;
        this.headNOut = nOut;
        return this;
    }

    /**
     * Appends a LossLayer (identity activation) with this loss, for a MultiLayerNetwork that ends
     * without an output layer (e.g. zoo SimpleCNN, which ends in a softmax ActivationLayer).
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

    /**
     * Whether BatchNormalization layers kept {@link #trainable} also keep their running mean and
     * variance fixed (γ and β still train). Default true. Frozen BatchNorm layers never update them.
     */
    public NolaTransfer<M> freezeBatchNormStatistics(boolean freeze) {
        this.freezeBatchNormStatistics = freeze;
        return this;
    }

    /** Updater, regularisation, seed and other training settings for the trainable parts. */
    public NolaTransfer<M> fineTuneConfiguration(FineTuneConfiguration configuration) {
        this.fineTune = configuration;
        return this;
    }

    /**
     * @return the new network and what was done
     * @throws IllegalArgumentException for any invalid choice; the input network is left unchanged
     */
    public TransferResult<M> build() {
        return new TransferAssembler<>(this).assemble();
    }
}
