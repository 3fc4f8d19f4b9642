package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.FrozenBaseLayer;
import io.github.nola4j.layers.LayerRuntime;
import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.network.Trainability;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * NOLA on chosen projections of one of DL4J's attention layers ({@code SelfAttentionLayer} or
 * {@code RecurrentAttentionLayer} with {@code projectInput = true}; {@link AdaptableAttention}).
 * It wraps the original configuration and runs the original's own SameDiff definition, with each chosen
 * projection weight W (Wq, Wk, Wv, Wo, see {@link AttentionProjection}) replaced by W + s·A·B:
 * <pre>
 *   A   = cA · Σ_{i&lt;k} α_i A_i    [fanIn, r]     one α [1, k] and β [1, l] per chosen projection,
 *   s·B = s · cB · Σ_{j&lt;l} β_j B_j [r, nOut]       keys {@code alphaQ}, {@code betaQ}, ...
 * </pre>
 * with the factors of {@link NolaFactors} (the NOLA layers' parametrisation and bases: a projection with
 * the same seed, shape and coefficients as a {@code NolaDense} has its ΔW). Every parameter of the original
 * (Wq, Wk, Wv, Wo, the learned queries Q, a recurrent layer's W, RW, b) keeps its key, gets no gradient
 * ({@link StopGradient}), no updater state and no regularisation, so it stays bit-identical in training;
 * only the α's and β's train. β starts at 0, so at step 0 the layer computes exactly what the original does.
 * JSON: every field by name, the original as a nested layer configuration.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class NolaAttention extends SameDiffLayer implements FrozenBaseLayer {

    private SameDiffLayer attention;
    private List<AttentionProjection> projections;
    private int rank;
    private int numBasesA;
    private int numBasesB;
    private long basisSeed;
    private double scale;
    private int quantizationBits;
    private int parametrisation = NolaFactors.PARAMETRISATION;

    private NolaAttention(Builder b) {
        super(b);
        this.attention = b.attention;
        this.projections = List.copyOf(EnumSet.copyOf(b.projections));
        this.rank = b.rank;
        this.numBasesA = b.numBasesA;
        this.numBasesB = b.numBasesB;
        this.basisSeed = b.basisSeed;
        this.scale = b.scale != null ? b.scale : 1.0 / b.rank;
        this.quantizationBits = b.quantizationBits;
        this.layerName = attention.getLayerName();
    }

    /** No-arg constructor for JSON. */
    protected NolaAttention() {
    }

    /** @return the NOLA factors of projection {@code p} of this layer */
    public NolaFactors nolaFactors(AttentionProjection p) {
        long[] shape = weightShape(p);
        return new NolaFactors(basisSeed, rank, numBasesA, numBasesB, p.fanIn(shape), p.nOut(shape), scale,
                quantizationBits, parametrisation);
    }

    /** @return the shape of projection {@code p}'s frozen weight in the original layer */
    public long[] weightShape(AttentionProjection p) {
        return attention.getLayerParams().getParamShapes().get(p.weightKey()).clone();
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        attention.defineParameters(params);
        for (AttentionProjection p : projections) {
            params.addWeightParam(p.alphaKey(), 1, numBasesA);
            params.addWeightParam(p.betaKey(), 1, numBasesB);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        Map<String, INDArray> original = new LinkedHashMap<>();
        attention.getLayerParams().getParameterKeys().forEach(k -> original.put(k, params.get(k)));
        attention.initializeParameters(original);
        for (AttentionProjection p : projections) {
            INDArray alpha = params.get(p.alphaKey());
            alpha.assign(nolaFactors(p).initialAlpha(alpha.dataType()));
            params.get(p.betaKey()).assign(0);
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        Map<String, SDVariable> frozen = new LinkedHashMap<>();
        for (String key : attention.getLayerParams().getParameterKeys()) {
            frozen.put(key, new StopGradient(sd, params.get(key)).outputVariable());
        }
        for (AttentionProjection p : projections) {
            SDVariable w = frozen.get(p.weightKey());
            SDVariable[] ab = nolaFactors(p).define(sd, params.get(p.alphaKey()), params.get(p.betaKey()),
                    w.dataType(), "nolaBases" + p.weightKey());
            frozen.put(p.weightKey(), w.add(p.delta(ab[0], ab[1], weightShape(p))));
        }
        return attention.defineLayer(sd, x, frozen, mask);
    }

    @Override
    public List<String> trainableParamKeys() {
        return getLayerParams().getParameterKeys().stream().filter(k -> !isFrozen(k)).toList();
    }

    /** Runs in {@link LayerRuntime#SAMEDIFF}, whose backward pass computes gradients for α, β and the input only. */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return LayerRuntime.SAMEDIFF.instantiate(conf, listeners, layerIndex, paramsView,
                initializer().init(conf, paramsView, initializeParams), networkDataType);
    }

    /** @return true for the original layer's parameters, false for the α's and β's */
    public boolean isFrozen(String paramName) {
        if (attention.getLayerParams().getParameterKeys().contains(paramName)) {
            return true;
        }
        if (projections.stream().anyMatch(p -> p.alphaKey().equals(paramName) || p.betaKey().equals(paramName))) {
            return false;
        }
        throw new IllegalArgumentException("Unknown parameter \"" + paramName + "\" for layer \"" + layerName
                + "\" (NolaAttention): expected " + attention.getLayerParams().getParameterKeys() + " or the α, β of "
                + projections);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return isFrozen(paramName) ? Trainability.frozenUpdater() : updater;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return isFrozen(paramName) ? Collections.emptyList() : regularization;
    }

    /** @return trainable values: (k + l) per chosen projection */
    public long numTrainableParams() {
        return (long) projections.size() * (numBasesA + numBasesB);
    }

    /** @return what LoRA at rank 1 trains on the same projections: Σ (fanIn + nOut) */
    public long loraRank1Params() {
        return projections.stream().mapToLong(p -> p.fanIn(weightShape(p)) + p.nOut(weightShape(p))).sum();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return attention.getOutputType(layerIndex, inputType);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        attention.setNIn(inputType, override);
        attention.setLayerParams(null);
        setLayerParams(null);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return attention.getPreProcessorForInputType(inputType);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return attention.feedForwardMaskArray(maskArray, currentMaskState, minibatchSize);
    }

    @Override
    public void validateInput(INDArray input) {
        attention.validateInput(input);
    }

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        attention.applyGlobalConfigToLayer(globalConfig);
    }

    @Override
    public NolaAttention clone() {
        NolaAttention c = (NolaAttention) super.clone();
        c.attention = (SameDiffLayer) attention.clone();
        return c;
    }

    public List<AttentionProjection> getProjections() {
        return projections;
    }

    public int getRank() {
        return rank;
    }

    public int getNumBasesA() {
        return numBasesA;
    }

    public int getNumBasesB() {
        return numBasesB;
    }

    public long getBasisSeed() {
        return basisSeed;
    }

    public double getScale() {
        return scale;
    }

    public int getQuantizationBits() {
        return quantizationBits;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NolaAttention that) || !super.equals(o)) {
            return false;
        }
        return attention.equals(that.attention) && projections.equals(that.projections) && rank == that.rank
                && numBasesA == that.numBasesA && numBasesB == that.numBasesB && basisSeed == that.basisSeed
                && Double.compare(scale, that.scale) == 0 && quantizationBits == that.quantizationBits
                && parametrisation == that.parametrisation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), attention, projections, rank, numBasesA, numBasesB, basisSeed, scale,
                quantizationBits, parametrisation);
    }

    /**
     * Builds a {@link NolaAttention} around a copy of {@code attention}: by default NOLA on q and v
     * ({@link AttentionProjection#DEFAULT}), rank 4, k = l = 64, the NOLA layers' default seed, s = 1/r
     * (options: {@link AttentionAdapterOptions}).
     */
    public static final class Builder extends AttentionAdapterOptions<Builder> {
        private final SameDiffLayer attention;

        /** @param attention the original layer: see {@link AdaptableAttention#whyNot} */
        public Builder(SameDiffLayer attention) {
            String reason = AdaptableAttention.whyNot(attention).orElse(null);
            if (reason != null) {
                throw new IllegalArgumentException("NolaAttention cannot wrap layer \"" + (attention == null ? null
                        : attention.getLayerName()) + "\": " + reason + "; wrap a SelfAttentionLayer or"
                        + " RecurrentAttentionLayer built with projectInput(true)");
            }
            this.attention = (SameDiffLayer) attention.clone();
        }

        @Override
        String owner() {
            return "NolaAttention \"" + attention.getLayerName() + "\"";
        }

        @Override
        @SuppressWarnings("unchecked")
        public NolaAttention build() {
            validate();
            return new NolaAttention(this);
        }
    }
}
