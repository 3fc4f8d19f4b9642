package io.github.nola4j.layers;

import io.github.nola4j.layers.network.Trainability;
import io.github.nola4j.layers.ops.ActivationMapping;
import io.github.nola4j.layers.ops.LayerOperation;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A layer with a frozen pretrained weight W and bias b plus a trainable low-rank update
 * ΔW = s·A·B, A [fanIn, r], B [r, nOut] (DL4J orientation). Subclasses say where A and B come
 * from: {@link NolaLayer} mixes frozen random bases, {@link LoraLayer} trains them directly; the
 * dense and convolution forward passes are shared ({@link io.github.nola4j.layers.ops.DenseOperation DenseOperation}, {@link io.github.nola4j.layers.ops.ConvOperation ConvOperation}), so
 * NOLA and LoRA run the same code path.
 *
 * <p>W and b get no gradient, no updater state ({@code NoOp}) and no regularisation, so they stay
 * bit-identical through training. Parameter keys: {@link #WEIGHT_KEY}, {@link #BIAS_KEY} and the
 * subclass's trainable keys. JSON: see the package documentation.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class LowRankLayer extends SameDiffLayer implements FrozenBaseLayer {

    /** Frozen pretrained weight. */
    public static final String WEIGHT_KEY = "W";
    /** Frozen pretrained bias, shape [1, nOut]. */
    public static final String BIAS_KEY = "b";

    protected long nIn;
    protected long nOut;
    protected int rank;
    protected double scale;
    protected boolean hasBias;
    protected Activation activation;
    protected LayerRuntime runtime = LayerRuntime.DIRECT;
    /**
     * Whether training computes dL/dx (see {@link InputGradients}). Saved with the network, since it
     * chooses a convolution's training path ({@link io.github.nola4j.layers.ops.ConvPathRule ConvPathRule}) and so the rounding of its
     * gradients: a saved copy must train on bit-identically. Not part of {@link #equals}: it says how
     * the layer trains, not what it computes. Networks saved before it existed read true.
     */
    protected boolean inputGradientNeeded = true;

    protected LowRankLayer(Builder<?> b) {
        super(b);
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.rank = b.rank;
        this.scale = b.scale != null ? b.scale : 1.0 / b.rank;
        this.hasBias = b.hasBias;
        this.activation = b.activation;
        this.runtime = b.runtime;
    }

    /** No-arg constructor for JSON. */
    protected LowRankLayer() {
    }

    /** @return what the layer computes with its weight: dense or convolution */
    public abstract LayerOperation shape();

    /** @return the number of inputs one output mixes: nIn for dense, nIn·kH·kW for conv */
    public long fanIn() {
        return shape().fanIn(nIn);
    }

    /** @return the shape of the frozen weight {@link #WEIGHT_KEY} in DL4J's layout */
    public long[] weightShape() {
        return shape().weightShape(nIn, nOut);
    }

    /** Adds the trainable parameters (weight params, so they get the layer's regularisation). */
    protected abstract void defineTrainableParameters(SDLayerParams params);

    /** Sets the trainable parameters' values at step 0, such that ΔW = 0. */
    protected abstract void initializeTrainableParameters(Map<String, INDArray> params);

    /** @return true for the keys of the trainable parameters */
    protected abstract boolean isTrainableKey(String paramName);

    /** @return {A [fanIn, r], s·B [r, nOut]} defined in {@code sd}, the graph's {@link LowRankUpdate} factors */
    public abstract SDVariable[] defineFactors(SameDiff sd, Map<String, SDVariable> params, DataType dataType);

    /** @return {A [fanIn, r], s·B [r, nOut]} computed with ND4J; {@link #update} holds them for callers */
    public abstract INDArray[] factors(Map<String, INDArray> params);

    /**
     * Turns the gradients of the factors into gradients of the trainable parameters.
     *
     * @param dA  dL/dA [fanIn, r]
     * @param dB  dL/d(s·B) [r, nOut]
     * @param out gradient arrays of the trainable parameters, written in place
     */
    public abstract void trainableGradients(Map<String, INDArray> params, INDArray dA, INDArray dB,
                                            Map<String, INDArray> out);

    /** @return trainable parameters of this layer */
    public abstract long numTrainableParams();

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable w = new StopGradient(sd, params.get(WEIGHT_KEY)).outputVariable();
        SDVariable b = hasBias ? new StopGradient(sd, params.get(BIAS_KEY)).outputVariable() : null;
        SDVariable[] ab = defineFactors(sd, params, w.dataType());
        return activate(sd, shape().forward(sd, x, w, b, ab[0], ab[1], nIn, nOut));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return shape().outputType(layerIndex, inputType, nOut, layerName);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) {
            setNIn(shape().inferNIn(inputType, layerName));
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return shape().preProcessor(inputType, layerName);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHT_KEY, weightShape());
        defineTrainableParameters(params);
        if (hasBias) {
            params.addBiasParam(BIAS_KEY, 1, nOut);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        INDArray w = params.get(WEIGHT_KEY);
        long fanOut = w.length() / fanIn();
        WeightInit init = weightInit == null ? WeightInit.XAVIER : weightInit;
        initWeights((int) fanIn(), (int) fanOut, init, w);
        if (hasBias) {
            params.get(BIAS_KEY).assign(0);
        }
        initializeTrainableParameters(params);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return isFrozen(paramName) ? Trainability.frozenUpdater() : updater;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return isFrozen(paramName) ? Collections.emptyList() : regularization;
    }

    @Override
    public List<String> trainableParamKeys() {
        return getLayerParams().getParameterKeys().stream().filter(this::isTrainableKey).toList();
    }

    /**
     * @return true for W and b, false for the trainable parameters
     * @throws IllegalArgumentException for any other key
     */
    public boolean isFrozen(String paramName) {
        if (WEIGHT_KEY.equals(paramName) || BIAS_KEY.equals(paramName)) {
            return true;
        }
        if (isTrainableKey(paramName)) {
            return false;
        }
        throw new IllegalArgumentException("Unknown parameter \"" + paramName + "\" for layer \"" + layerName
                + "\" (" + getClass().getSimpleName() + "): expected W, b or one of its trainable parameters");
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return runtime.instantiate(conf, listeners, layerIndex, paramsView,
                initializer().init(conf, paramsView, initializeParams), networkDataType);
    }

    /** @return s·A·B [fanIn, nOut] of the parameter table {@code params} ({@link LowRankUpdate#delta()}) */
    public INDArray scaledDelta(Map<String, INDArray> params) {
        return update(params).delta();
    }

    /** @return the update of this layer with the factors of its parameter table {@code params} */
    public LowRankUpdate update(Map<String, INDArray> params) {
        INDArray[] ab = factors(params);
        return new LowRankUpdate(shape(), weightShape(), ab[0], ab[1]);
    }

    /** @return what LoRA at rank 1 would train for the same layer: fanIn + nOut */
    public long loraRank1Params() {
        return fanIn() + nOut;
    }

    /** Applies the activation in {@code sd}. */
    protected SDVariable activate(SameDiff sd, SDVariable preActivation) {
        return (activation == null ? Activation.SIGMOID : activation).asSameDiff(sd, preActivation);
    }

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        if (activation == null) {
            activation = ActivationMapping.toEnum(globalConfig.getActivationFn(), layerName);
        }
        if (weightInit == null) {
            weightInit = WeightInit.XAVIER;
        }
        shape().applyGlobalConfig(globalConfig);
    }

    /** Sets nIn and forgets the derived parameter shapes (used when nIn is inferred or copied). */
    public void setNIn(long nIn) {
        this.nIn = nIn;
        setLayerParams(null);
    }

    public long getNIn() {
        return nIn;
    }

    public long getNOut() {
        return nOut;
    }

    public int getRank() {
        return rank;
    }

    public double getScale() {
        return scale;
    }

    public boolean hasBias() {
        return hasBias;
    }

    public Activation getActivation() {
        return activation;
    }

    public boolean isInputGradientNeeded() {
        return inputGradientNeeded;
    }

    /** Set through {@link DirectLowRankLayer#setInputGradientNeeded}, which also drops its cached step. */
    void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
    }

    public LayerRuntime getRuntime() {
        return runtime;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LowRankLayer that) || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        return nIn == that.nIn && nOut == that.nOut && rank == that.rank && Double.compare(scale, that.scale) == 0
                && hasBias == that.hasBias && activation == that.activation && runtime == that.runtime
                && shape().equals(that.shape());
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nIn, nOut, rank, scale, hasBias, activation, runtime, shape());
    }

    /** Builder of the options shared by every low-rank layer ({@link LowRankOptions}). */
    public abstract static class Builder<T extends Builder<T>> extends LowRankOptions<T> {
    }
}
