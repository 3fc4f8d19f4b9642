package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.ActivationMapping;
import io.github.nola4j.layers.ops.OptionCheck;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;

/**
 * The options every low-rank layer's builder takes (sizes, rank, scale, bias, activation, runtime),
 * and their checks. {@link LowRankLayer.Builder} extends it; the layer's constructor reads them.
 *
 * @param <T> the builder type, returned for chaining
 */
@SuppressWarnings("unchecked")
public abstract class LowRankOptions<T extends LowRankOptions<T>> extends SameDiffLayer.Builder<T> {
    protected long nIn;
    protected long nOut;
    protected int rank = 4;
    /** null: 1/r. */
    protected Double scale;
    protected boolean hasBias = true;
    protected Activation activation;
    protected LayerRuntime runtime = LayerRuntime.DIRECT;

    protected LowRankOptions() {
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

    /** Scale s of the update s·A·B (LoRA's alpha / r). Default 1/r, as the paper's vision code and LoRA. */
    public T scale(double scale) {
        this.scale = scale;
        return (T) this;
    }

    /** Whether the layer has a (frozen) bias. Default true. */
    public T hasBias(boolean hasBias) {
        this.hasBias = hasBias;
        return (T) this;
    }

    /** Activation applied to the output. Default: the network's (sigmoid, as DL4J). */
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

    /** How the layer executes: {@link LayerRuntime#DIRECT} (default) or {@link LayerRuntime#SAMEDIFF}. */
    public T runtime(LayerRuntime runtime) {
        this.runtime = runtime;
        return (T) this;
    }

    /** @return the layer's name for error messages, e.g. {@code NolaDense "fc1"} */
    protected String describe(String kind) {
        return layerName == null ? kind : kind + " \"" + layerName + "\"";
    }

    /** Checks the options shared by every low-rank layer. */
    protected void validate(String kind) {
        String name = describe(kind);
        require(nOut > 0, name, "nOut", nOut, "must be > 0", "set .nOut(n) to the number of outputs");
        require(nIn >= 0, name, "nIn", nIn, "must be >= 0 (0 = infer from the input type)", "set .nIn(n)");
        require(rank > 0, name, "rank", rank, "must be > 0", "use a rank such as 4");
        require(runtime != null, name, "runtime", null, "must be set", "use LayerRuntime.DIRECT");
        require(scale == null || Double.isFinite(scale) && scale != 0, name, "scale", scale, "must be finite and non-zero",
                "use e.g. .scale(1.0 / rank)");
        boolean constrained = (allParamConstraints != null && !allParamConstraints.isEmpty())
                || (weightConstraints != null && !weightConstraints.isEmpty())
                || (biasConstraints != null && !biasConstraints.isEmpty());
        require(!constrained, name, "constraints", "set", "are not supported: they would change the frozen W and b",
                "remove the constrain*() calls from this layer");
    }

    /** {@link OptionCheck#require}, for the builders' {@code validate} methods. */
    static void require(boolean ok, String layer, String option, Object value, String constraint, String fix) {
        OptionCheck.require(ok, layer, option, value, constraint, fix);
    }
}
