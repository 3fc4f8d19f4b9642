package io.github.nola4j.layers;

import io.github.nola4j.layers.basis.BasisCache;
import io.github.nola4j.layers.basis.BasisGenerator;
import io.github.nola4j.layers.basis.BasisRole;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Common configuration of the NOLA layers: a frozen weight W and bias b plus a trainable
 * low-rank update whose factors are mixtures of frozen random bases.
 *
 * <pre>
 *   ΔW = s · A · B                              [fanIn, nOut] (DL4J orientation)
 *   A  = cA · Σ_{i&lt;k} α_i A_i,  cA = 1/sqrt(k · fanIn)     A_i ~ N(0,1) [fanIn, r]
 *   B  = cB · Σ_{j&lt;l} β_j B_j,  cB = 1/sqrt(l)            B_j ~ N(0,1) [r, nOut]
 * </pre>
 * α starts uniform in [-1, 1) (so A has the spread of LoRA's Kaiming-uniform A), β starts at 0
 * (so ΔW = 0 and the layer equals its base at step 0). Only α [1, k] and β [1, l] train: W and b
 * get no gradient, no updater state ({@link NoOp}) and no regularisation, so they stay
 * bit-identical through training.
 *
 * <p>JSON: every field, inherited ones included, is written by field name (no getters), so the
 * configuration round-trips through DL4J's {@code toJson()} / {@code fromJson()} and
 * {@code ModelSerializer} exactly.
 *
 * <p>Parameter keys: {@link #WEIGHT_KEY}, {@link #BIAS_KEY}, {@link #ALPHA_KEY}, {@link #BETA_KEY}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class NolaLayer extends SameDiffLayer {

    /** Frozen pretrained weight. */
    public static final String WEIGHT_KEY = "W";
    /** Frozen pretrained bias, shape [1, nOut]. */
    public static final String BIAS_KEY = "b";
    /** Trainable coefficients of the A bases, shape [1, k]. */
    public static final String ALPHA_KEY = "alpha";
    /** Trainable coefficients of the B bases, shape [1, l]. */
    public static final String BETA_KEY = "beta";

    /** Default basis seed, used when none is set. */
    public static final long DEFAULT_BASIS_SEED = 0x4E4F4C41L; // "NOLA"

    protected long nIn;
    protected long nOut;
    protected int rank;
    protected int numBasesA;
    protected int numBasesB;
    protected long basisSeed;
    protected double scale;
    protected boolean hasBias;
    protected Activation activation;
    /** Bits of quantisation-aware training of α and β, or 0 for none. */
    protected int quantizationBits;

    protected NolaLayer(Builder<?> b) {
        super(b);
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.rank = b.rank;
        this.numBasesA = b.numBasesA;
        this.numBasesB = b.numBasesB;
        this.basisSeed = b.basisSeed;
        this.scale = b.scale;
        this.hasBias = b.hasBias;
        this.activation = b.activation;
        this.quantizationBits = b.quantizationBits;
    }

    /** No-arg constructor for JSON. */
    protected NolaLayer() {
    }

    /** @return the number of inputs one output mixes: nIn for dense, nIn·kH·kW for conv */
    public abstract long fanIn();

    /** @return the shape of the frozen weight {@link #WEIGHT_KEY} in DL4J's layout */
    protected abstract long[] weightShape();

    // ---------------------------------------------------------------- parameters

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHT_KEY, weightShape());
        params.addWeightParam(ALPHA_KEY, 1, numBasesA);
        params.addWeightParam(BETA_KEY, 1, numBasesB);
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
        params.get(ALPHA_KEY).assign(initialAlpha(numBasesA, basisSeed, w.dataType()));
        params.get(BETA_KEY).assign(0);
    }

    /**
     * @return α at step 0: [1, k] uniform in [-1, 1) from the portable generator, stream
     * {@link BasisRole#ALPHA_INIT} of the basis seed
     */
    public static INDArray initialAlpha(int k, long seed, DataType dataType) {
        long key = BasisGenerator.key(seed, BasisRole.ALPHA_INIT.stream(0));
        double[] alpha = new double[k];
        for (int i = 0; i < k; i++) {
            alpha[i] = 2.0 * BasisGenerator.uniform(key, i) - 1.0;
        }
        return Nd4j.createFromArray(alpha).reshape(1, k).castTo(dataType);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (isFrozen(paramName)) {
            return new NoOp();
        }
        return updater;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (isFrozen(paramName)) {
            return Collections.emptyList();
        }
        return regularization;
    }

    /**
     * @return true for W and b, false for α and β
     * @throws IllegalArgumentException for any other key
     */
    public boolean isFrozen(String paramName) {
        switch (paramName) {
            case WEIGHT_KEY:
            case BIAS_KEY:
                return true;
            case ALPHA_KEY:
            case BETA_KEY:
                return false;
            default:
                throw new IllegalArgumentException("Unknown parameter \"" + paramName + "\" for NOLA layer \""
                        + layerName + "\": expected one of W, b, alpha, beta");
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        CoefficientSameDiffLayer ret = new CoefficientSameDiffLayer(conf, networkDataType);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(paramsView);
        ret.setParamTable(initializer().init(conf, paramsView, initializeParams));
        ret.setConf(conf);
        ret.setListeners(listeners);
        return ret;
    }

    // ---------------------------------------------------------------- graph pieces

    /**
     * Defines the factors of ΔW in {@code sd}, with the bases as shared constants.
     *
     * @return {A [fanIn, r], B [r, nOut]}, with s, cA and cB folded in (s into B)
     */
    protected SDVariable[] defineFactors(SameDiff sd, Map<String, SDVariable> params, DataType dataType) {
        INDArray basesA = BasisCache.bases(basisSeed, BasisRole.A, rank, numBasesA, fanIn(), dataType);
        INDArray basesB = BasisCache.bases(basisSeed, BasisRole.B, rank, numBasesB, nOut, dataType);
        SDVariable alpha = params.get(ALPHA_KEY);
        SDVariable beta = params.get(BETA_KEY);
        if (quantizationBits > 0) {
            alpha = CoefficientFakeQuant.straightThrough(sd, alpha, quantizationBits);
            beta = CoefficientFakeQuant.straightThrough(sd, beta, quantizationBits);
        }
        alpha = alpha.mul(coefficientScaleA());
        beta = beta.mul(scale * coefficientScaleB());
        SDVariable a = sd.constant("nolaBasesA", basesA).mmul(alpha.reshape(numBasesA, 1))
                .reshape(fanIn(), rank);
        SDVariable b = sd.constant("nolaBasesB", basesB).mmul(beta.reshape(numBasesB, 1))
                .reshape(nOut, rank).permute(1, 0);
        return new SDVariable[] {a, b};
    }

    /** @return cA = 1/sqrt(k · fanIn) */
    public double coefficientScaleA() {
        return 1.0 / Math.sqrt((double) numBasesA * fanIn());
    }

    /** @return cB = 1/sqrt(l) */
    public double coefficientScaleB() {
        return 1.0 / Math.sqrt(numBasesB);
    }

    /**
     * Computes s·A·B from the given parameters with ND4J, outside any graph.
     *
     * @param params the layer's parameter table (α and β are read)
     * @return ΔW scaled by s, shape [fanIn, nOut]
     */
    public INDArray scaledDelta(Map<String, INDArray> params) {
        INDArray alpha = params.get(ALPHA_KEY);
        INDArray beta = params.get(BETA_KEY);
        if (quantizationBits > 0) {
            alpha = CoefficientFakeQuant.quantize(alpha, quantizationBits);
            beta = CoefficientFakeQuant.quantize(beta, quantizationBits);
        }
        DataType dt = alpha.dataType();
        INDArray basesA = BasisCache.bases(basisSeed, BasisRole.A, rank, numBasesA, fanIn(), dt);
        INDArray basesB = BasisCache.bases(basisSeed, BasisRole.B, rank, numBasesB, nOut, dt);
        INDArray a = basesA.mmul(alpha.reshape(numBasesA, 1).mul(coefficientScaleA())).reshape(fanIn(), rank);
        INDArray b = basesB.mmul(beta.reshape(numBasesB, 1).mul(scale * coefficientScaleB()))
                .reshape(nOut, rank).transpose();
        return a.mmul(b);
    }

    // ---------------------------------------------------------------- counting

    /** @return trainable parameters of this layer: k + l */
    public long numTrainableParams() {
        return (long) numBasesA + numBasesB;
    }

    /** @return what LoRA at rank 1 would train for the same layer: fanIn + nOut */
    public long loraRank1Params() {
        return fanIn() + nOut;
    }

    // ---------------------------------------------------------------- config plumbing

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        if (activation == null) {
            activation = ActivationMapping.toEnum(globalConfig.getActivationFn(), layerName);
        }
        if (weightInit == null && globalConfig.getWeightInitFn() == null) {
            weightInit = WeightInit.XAVIER;
        }
    }

    /** Applies the activation in {@code sd}. */
    protected SDVariable activate(SameDiff sd, SDVariable preActivation) {
        return (activation == null ? Activation.SIGMOID : activation).asSameDiff(sd, preActivation);
    }

    /** Forgets the derived parameter shapes, after nIn changed. */
    protected void resetParamShapes() {
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

    public boolean hasBias() {
        return hasBias;
    }

    public Activation getActivation() {
        return activation;
    }

    /** @return bits of quantisation-aware training, or 0 when α and β train in full precision */
    public int getQuantizationBits() {
        return quantizationBits;
    }

    /** Sets nIn (used when a helper builds a layer from an existing one). */
    public void setNIn(long nIn) {
        this.nIn = nIn;
        resetParamShapes();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        NolaLayer that = (NolaLayer) o;
        return nIn == that.nIn && nOut == that.nOut && rank == that.rank && numBasesA == that.numBasesA
                && numBasesB == that.numBasesB && basisSeed == that.basisSeed
                && Double.compare(scale, that.scale) == 0 && hasBias == that.hasBias
                && Objects.equals(activation, that.activation) && quantizationBits == that.quantizationBits;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nIn, nOut, rank, numBasesA, numBasesB, basisSeed, scale, hasBias,
                activation, quantizationBits);
    }

    /** Shared builder of the NOLA layers. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> extends SameDiffLayer.Builder<T> {
        protected long nIn;
        protected long nOut;
        protected int rank = 4;
        protected int numBasesA = 64;
        protected int numBasesB = 64;
        protected long basisSeed = DEFAULT_BASIS_SEED;
        protected double scale = 1.0;
        protected boolean hasBias = true;
        protected Activation activation;
        protected int quantizationBits;

        protected Builder() {
            weightInit = null;
        }

        /** Number of inputs (channels for convolution); may be left unset and inferred from the input type. */
        public T nIn(long nIn) {
            this.nIn = nIn;
            return (T) this;
        }

        /** Number of outputs (channels for convolution). */
        public T nOut(long nOut) {
            this.nOut = nOut;
            return (T) this;
        }

        /** Rank r of ΔW = A·B. Default 4. */
        public T rank(int rank) {
            this.rank = rank;
            return (T) this;
        }

        /** Number k of random bases mixed into A (trainable α values). Default 64. */
        public T numBasesA(int k) {
            this.numBasesA = k;
            return (T) this;
        }

        /** Number l of random bases mixed into B (trainable β values). Default 64. */
        public T numBasesB(int l) {
            this.numBasesB = l;
            return (T) this;
        }

        /** Seed of the frozen random bases; layers with one seed share them. */
        public T basisSeed(long seed) {
            this.basisSeed = seed;
            return (T) this;
        }

        /** Scale s of the update s·A·B (LoRA's alpha / r). Default 1. */
        public T scale(double scale) {
            this.scale = scale;
            return (T) this;
        }

        /** Whether the layer has a (frozen) bias. Default true. */
        public T hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return (T) this;
        }

        /** Activation applied to x·W + b + s·x·A·B. Default: the network's (sigmoid, as DL4J). */
        public T activation(Activation activation) {
            this.activation = activation;
            return (T) this;
        }

        /**
         * @param activation must equal one of {@link Activation}'s functions with default settings
         * @throws IllegalArgumentException for any other function
         */
        public T activation(IActivation activation) {
            this.activation = ActivationMapping.toEnum(activation, layerName);
            return (T) this;
        }

        /**
         * Quantisation-aware training: the forward pass uses α and β quantised to {@code bits}
         * (2 to 8, symmetric, one max-abs scale per vector) and gradients pass straight through,
         * so the adapter keeps its accuracy when saved at that width. 0 (default) turns it off.
         */
        public T quantizationBits(int bits) {
            this.quantizationBits = bits;
            return (T) this;
        }

        /** Checks the options shared by every NOLA layer. */
        protected void validate(String kind) {
            String name = layerName == null ? kind : kind + " \"" + layerName + "\"";
            require(nOut > 0, name, "nOut", nOut, "must be > 0", "set .nOut(n) to the number of outputs");
            require(nIn >= 0, name, "nIn", nIn, "must be >= 0 (0 = infer from the input type)", "set .nIn(n)");
            require(rank > 0, name, "rank", rank, "must be > 0", "use a rank such as 4");
            require(numBasesA > 0, name, "numBasesA", numBasesA, "must be > 0", "use e.g. .numBasesA(64)");
            require(numBasesB > 0, name, "numBasesB", numBasesB, "must be > 0", "use e.g. .numBasesB(64)");
            require(Double.isFinite(scale) && scale != 0, name, "scale", scale, "must be finite and non-zero",
                    "use e.g. .scale(1.0 / rank)");
            require(quantizationBits == 0
                            || (quantizationBits >= CoefficientFakeQuant.MIN_BITS
                            && quantizationBits <= CoefficientFakeQuant.MAX_BITS), name, "quantizationBits",
                    quantizationBits, "must be 0 (off) or in [2, 8]", "use e.g. .quantizationBits(4)");
            boolean constrained = (allParamConstraints != null && !allParamConstraints.isEmpty())
                    || (weightConstraints != null && !weightConstraints.isEmpty())
                    || (biasConstraints != null && !biasConstraints.isEmpty());
            require(!constrained, name, "constraints", "set", "are not supported: they would change the frozen W and b",
                    "remove the constrain*() calls from this layer");
        }

        static void require(boolean ok, String layer, String option, Object value, String constraint, String fix) {
            if (!ok) {
                throw new IllegalArgumentException(layer + ": " + option + " = " + value + " " + constraint + "; "
                        + fix);
            }
        }
    }
}
