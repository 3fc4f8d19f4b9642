package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.FrozenBaseLayer;
import io.github.nola4j.layers.LayerRuntime;
import io.github.nola4j.layers.network.Trainability;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
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
 * A low-rank adapter on chosen projections of one of DL4J's attention layers ({@code SelfAttentionLayer} or
 * {@code RecurrentAttentionLayer} with {@code projectInput = true}; {@link AdaptableAttention}): the wrapping both
 * kinds share. It runs the original's own SameDiff definition with each chosen projection weight W (Wq, Wk, Wv,
 * Wo, {@link AttentionProjection}) replaced by W + s·ΔW, s·ΔW = A·(s·B) [fanIn, nOut] in W's layout. Every
 * parameter of the original keeps its key, gets no gradient ({@link StopGradient}), no updater state and no
 * regularisation, so it stays bit-identical in training; only the two trainable tensors per projection train
 * ({@link #firstKey}, {@link #secondKey}), and the second starts at 0, so at step 0 the layer computes exactly what
 * the original does. Subclasses: {@link NolaAttention} (α, β over frozen seeded bases) and {@link LoraAttention}
 * (A and B themselves).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class AttentionAdapter extends SameDiffLayer implements FrozenBaseLayer {

    private SameDiffLayer attention;
    private List<AttentionProjection> projections;
    private int rank;
    private double scale;

    protected AttentionAdapter(AttentionAdapterOptions<?> b, SameDiffLayer attention) {
        super(b);
        this.attention = attention;
        this.projections = List.copyOf(EnumSet.copyOf(b.projections));
        this.rank = b.rank;
        this.scale = b.scale != null ? b.scale : 1.0 / b.rank;
        this.layerName = attention.getLayerName();
    }

    /** No-arg constructor for JSON. */
    protected AttentionAdapter() {
    }

    /** @return the key of projection {@code p}'s first trainable tensor (NOLA: α [1, k], LoRA: A [fanIn, r]) */
    public abstract String firstKey(AttentionProjection p);

    /** @return the key of projection {@code p}'s second trainable tensor, 0 at step 0 (β [1, l], B [r, nOut]) */
    public abstract String secondKey(AttentionProjection p);

    /** @return the shape of {@link #firstKey}'s tensor */
    protected abstract long[] firstShape(AttentionProjection p);

    /** @return the shape of {@link #secondKey}'s tensor */
    protected abstract long[] secondShape(AttentionProjection p);

    /** Writes the step-0 value of {@link #firstKey}'s tensor into {@code first}. */
    protected abstract void initFirst(AttentionProjection p, INDArray first);

    /** @return {A [fanIn, r], s·B [r, nOut]} of projection {@code p} in {@code sd} */
    protected abstract SDVariable[] defineFactors(SameDiff sd, AttentionProjection p, Map<String, SDVariable> params,
                                                  DataType dataType);

    /** @return {A [fanIn, r], s·B [r, nOut]} of projection {@code p} from the parameter table {@code params} */
    public abstract INDArray[] factors(AttentionProjection p, Map<String, INDArray> params);

    /** @return s·ΔW of projection {@code p} from the parameter table {@code params}, for merging into W */
    public LowRankUpdate update(AttentionProjection p, Map<String, INDArray> params) {
        INDArray[] ab = factors(p, params);
        return p.update(ab[0], ab[1], weightShape(p));
    }

    /** @return the shape of projection {@code p}'s frozen weight in the original layer */
    public long[] weightShape(AttentionProjection p) {
        return attention.getLayerParams().getParamShapes().get(p.weightKey()).clone();
    }

    /** @return fanIn of projection {@code p} (rows of A) */
    protected long fanIn(AttentionProjection p) {
        return p.fanIn(weightShape(p));
    }

    /** @return nOut of projection {@code p} (columns of B) */
    protected long nOut(AttentionProjection p) {
        return p.nOut(weightShape(p));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        attention.defineParameters(params);
        for (AttentionProjection p : projections) {
            params.addWeightParam(firstKey(p), firstShape(p));
            params.addWeightParam(secondKey(p), secondShape(p));
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        Map<String, INDArray> original = new LinkedHashMap<>();
        attention.getLayerParams().getParameterKeys().forEach(k -> original.put(k, params.get(k)));
        attention.initializeParameters(original);
        for (AttentionProjection p : projections) {
            initFirst(p, params.get(firstKey(p)));
            params.get(secondKey(p)).assign(0);
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
            SDVariable[] ab = defineFactors(sd, p, params, w.dataType());
            frozen.put(p.weightKey(), w.add(p.delta(ab[0], ab[1], weightShape(p))));
        }
        return attention.defineLayer(sd, x, frozen, mask);
    }

    @Override
    public List<String> trainableParamKeys() {
        return getLayerParams().getParameterKeys().stream().filter(k -> !isFrozen(k)).toList();
    }

    /** Runs in {@link LayerRuntime#SAMEDIFF}, whose backward pass computes gradients for the adapter and input only. */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return LayerRuntime.SAMEDIFF.instantiate(conf, listeners, layerIndex, paramsView,
                initializer().init(conf, paramsView, initializeParams), networkDataType);
    }

    /** @return true for the original layer's parameters, false for the adapter's */
    public boolean isFrozen(String paramName) {
        if (attention.getLayerParams().getParameterKeys().contains(paramName)) {
            return true;
        }
        if (projections.stream().anyMatch(p -> firstKey(p).equals(paramName) || secondKey(p).equals(paramName))) {
            return false;
        }
        throw new IllegalArgumentException("Unknown parameter \"" + paramName + "\" for layer \"" + layerName
                + "\" (" + getClass().getSimpleName() + "): expected " + attention.getLayerParams().getParameterKeys()
                + " or the adapter of " + projections);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return isFrozen(paramName) ? Trainability.frozenUpdater() : updater;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return isFrozen(paramName) ? Collections.emptyList() : regularization;
    }

    /** @return trainable values: the lengths of both tensors of every chosen projection */
    public long numTrainableParams() {
        return projections.stream().mapToLong(p -> length(firstShape(p)) + length(secondShape(p))).sum();
    }

    /** @return what LoRA at rank 1 trains on the same projections: Σ (fanIn + nOut) */
    public long loraRank1Params() {
        return projections.stream().mapToLong(p -> fanIn(p) + nOut(p)).sum();
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
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
    public AttentionAdapter clone() {
        AttentionAdapter c = (AttentionAdapter) super.clone();
        c.attention = (SameDiffLayer) attention.clone();
        return c;
    }

    public List<AttentionProjection> getProjections() {
        return projections;
    }

    public int getRank() {
        return rank;
    }

    public double getScale() {
        return scale;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AttentionAdapter that) || o.getClass() != getClass() || !super.equals(o)) {
            return false;
        }
        return attention.equals(that.attention) && projections.equals(that.projections) && rank == that.rank
                && Double.compare(scale, that.scale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), attention, projections, rank, scale);
    }
}
