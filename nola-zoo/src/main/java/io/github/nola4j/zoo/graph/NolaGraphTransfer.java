package io.github.nola4j.zoo.graph;

import io.github.nola4j.zoo.AdapterKind;
import io.github.nola4j.zoo.AdapterSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * NOLA (or LoRA) on any SameDiff graph, in the style of {@code NolaTransfer}: each selected weight W
 * becomes W + s·ΔW, s·ΔW = A·(s·B), A [fanIn, r] and B [r, nOut] in the orientation of x·W
 * ({@link WeightLayout}); for NOLA A = cA·Σ α_i A_i and B = cB·Σ β_j B_j over the frozen seeded bases
 * of the layers ({@code io.github.nola4j.layers.NolaFactors}), so only α [1, k] and β [1, l] train.
 * <pre>
 *   GraphTransferResult r = NolaGraphTransfer.of(sd)
 *       .targetOps(WeightOp.MATMUL, WeightOp.CONV2D)      // or targetNames("w0"), targetMatching("block[0-9]+/q")
 *       .exclude("head/w")
 *       .rank(4).numBases(64, 64).basisSeed(42)           // scale defaults to 1/r
 *       .override("conv.*", s -&gt; s.withRank(8))
 *       .build();
 *   r.sameDiff().setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2))
 *       .dataSetFeatureMapping("input").dataSetLabelMapping("label").build());
 *   r.sameDiff().fit(data, 10);
 * </pre>
 * The input graph is never modified: {@link #build()} works on a copy (SameDiff's {@code dup()}, or a FlatBuffers
 * round trip without updater state for a graph that {@code fit} trained before). In the copy only
 * the adapter's variables are VARIABLEs; every other VARIABLE becomes a CONSTANT, so SameDiff's {@code fit}
 * neither updates nor regularises it and any {@code TrainingConfig} trains exactly the adapter. At step 0
 * β = 0 (LoRA: B = 0), so the copy computes exactly what the input graph does.
 */
public final class NolaGraphTransfer {

    private static final Logger log = LoggerFactory.getLogger(NolaGraphTransfer.class);

    private final SameDiff source;
    private final GraphTargets targets = new GraphTargets();
    private AdapterSpec spec = AdapterSpec.DEFAULT;
    private final Map<Pattern, UnaryOperator<AdapterSpec>> overrides = new LinkedHashMap<>();

    private NolaGraphTransfer(SameDiff source) {
        this.source = source;
    }

    /** Starts a transfer from {@code graph}, which is only read. */
    public static NolaGraphTransfer of(SameDiff graph) {
        return new NolaGraphTransfer(Objects.requireNonNull(graph, "graph"));
    }

    /** Adapts the weight variables with these exact names (an unknown or non-adaptable one is an error). */
    public NolaGraphTransfer targetNames(String... names) {
        targets.names(names);
        return this;
    }

    /** Adapts the weight variables whose whole name matches this regular expression. */
    public NolaGraphTransfer targetMatching(String regex) {
        targets.matching(regex);
        return this;
    }

    /** Adapts every weight these ops consume; weights that cannot be adapted are skipped and logged. */
    public NolaGraphTransfer targetOps(WeightOp... ops) {
        targets.ops(ops);
        return this;
    }

    /** Never adapts the weights with these names. */
    public NolaGraphTransfer exclude(String... names) {
        targets.exclude(names);
        return this;
    }

    /** Never adapts the weights whose whole name matches this regular expression. */
    public NolaGraphTransfer excludeMatching(String regex) {
        targets.excludeMatching(regex);
        return this;
    }

    /** Sets every adapter option at once. */
    public NolaGraphTransfer adapter(AdapterSpec adapterSpec) {
        this.spec = Objects.requireNonNull(adapterSpec, "adapterSpec");
        return this;
    }

    /** NOLA (default) or LoRA (A Kaiming-uniform, B = 0, both trainable: the baseline). */
    public NolaGraphTransfer kind(AdapterKind kind) {
        spec = spec.withKind(kind);
        return this;
    }

    /** Rank r of ΔW (&gt; 0); a scale left at its default 1/r follows. Default 4. */
    public NolaGraphTransfer rank(int rank) {
        spec = spec.withRank(rank);
        return this;
    }

    /** Numbers k and l of bases of A and B (&gt; 0); k + l coefficients train per weight. Default 64, 64. */
    public NolaGraphTransfer numBases(int k, int l) {
        spec = spec.withNumBases(k, l);
        return this;
    }

    /** Seed of the frozen random bases and of α's start (NOLA), or of A's initial values (LoRA). */
    public NolaGraphTransfer basisSeed(long seed) {
        spec = spec.withBasisSeed(seed);
        return this;
    }

    /** Scale s of s·A·B (finite, non-zero). Default 1/r. */
    public NolaGraphTransfer scale(double scale) {
        spec = spec.withScale(scale);
        return this;
    }

    /** Quantisation-aware training of α and β at this many bits (2 to 8; 0, the default, for none; NOLA only). */
    public NolaGraphTransfer quantizationBits(int bits) {
        spec = spec.withQuantizationBits(bits);
        return this;
    }

    /** Changes the adapter options of weights whose whole name matches {@code regex}; the first match wins. */
    public NolaGraphTransfer override(String regex, UnaryOperator<AdapterSpec> change) {
        Objects.requireNonNull(change, "change");
        try {
            overrides.put(Pattern.compile(regex), change);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid override pattern \"" + regex + "\": " + e.getMessage()
                    + "; give a java.util.regex pattern matched against whole variable names");
        }
        return this;
    }

    /**
     * Adapts a copy of the graph.
     *
     * @throws IllegalArgumentException when no weight is selected (the message lists the graph's weights
     *                                  with their shapes and consuming ops), or a weight chosen by name
     *                                  cannot be adapted (named with the reason)
     */
    public GraphTransferResult build() {
        GraphTargets.Selection selection = targets.select(GraphWeights.scan(source));
        long baseParams = baseParams(source);
        SameDiff copy = GraphCopy.of(source);
        List<AdaptedWeight> adapted = new ArrayList<>();
        Set<String> trainable = new HashSet<>();
        for (GraphWeight w : selection.adapted()) {
            AdaptedWeight a = GraphRewriter.adapt(copy, w, specFor(w.name()));
            adapted.add(a);
            trainable.addAll(a.trainableVariables());
        }
        GraphRewriter.freezeAllBut(copy, trainable);
        GraphTransferResult result = new GraphTransferResult(copy, adapted, selection.skipped(), baseParams,
                GraphAdapterCapture.fingerprint(copy, adapted));
        log.info("Adapted {}: {}", result.describeWeights(), result.summary());
        return result;
    }

    /**
     * Rebuilds the adapted graph an adapter file was saved from ({@link GraphAdapterFiles#save}), from this
     * builder's graph (the base) and the file alone: the file records the selection and every weight's options.
     * <pre>
     *   GraphTransferResult r = NolaGraphTransfer.of(baseGraph).restore(Path.of("task-a.nola"));
     * </pre>
     *
     * @throws IllegalArgumentException when targets, excludes or options were set on this builder (the file sets them)
     * @throws io.github.nola4j.layers.adapter.format.AdapterFormatException   when the file is corrupt or holds no graph
     *                                                                  settings
     * @throws io.github.nola4j.layers.adapter.AdapterMismatchException when it was saved from a DL4J network
     *                                                                  ({@code NolaTransfer}), or for another base
     */
    public GraphTransferResult restore(java.nio.file.Path adapterFile) throws java.io.IOException {
        if (!targets.isEmpty() || !overrides.isEmpty() || !spec.equals(AdapterSpec.DEFAULT)) {
            throw new IllegalArgumentException("restore(" + adapterFile + ") takes the selection and the adapter options"
                    + " from the file; call it on a fresh NolaGraphTransfer.of(baseGraph) without targets, excludes or"
                    + " options");
        }
        return GraphAdapterRestore.restore(source, adapterFile);
    }

    private AdapterSpec specFor(String weightName) {
        for (Map.Entry<Pattern, UnaryOperator<AdapterSpec>> e : overrides.entrySet()) {
            if (e.getKey().matcher(weightName).matches()) {
                return Objects.requireNonNull(e.getValue().apply(spec), "override of " + weightName + " returned null");
            }
        }
        return spec;
    }

    /** @return values of {@code sd}'s VARIABLEs and of its CONSTANTs of more than one value */
    private static long baseParams(SameDiff sd) {
        long n = 0;
        for (SDVariable v : sd.variables()) {
            INDArray arr = v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT
                    ? v.getArr() : null;
            if (arr != null && (v.getVariableType() == VariableType.VARIABLE || arr.length() > 1)) {
                n += arr.length();
            }
        }
        return n;
    }
}
