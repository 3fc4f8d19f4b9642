package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.NolaFactors;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Map;
import java.util.Objects;

/**
 * NOLA on chosen projections of one of DL4J's attention layers ({@link AttentionAdapter}): each chosen projection
 * weight W (Wq, Wk, Wv, Wo, see {@link AttentionProjection}) is replaced by W + s·A·B with
 * <pre>
 *   A   = cA · Σ_{i&lt;k} α_i A_i    [fanIn, r]     one α [1, k] and β [1, l] per chosen projection,
 *   s·B = s · cB · Σ_{j&lt;l} β_j B_j [r, nOut]       keys {@code alphaQ}, {@code betaQ}, ...
 * </pre>
 * with the factors of {@link NolaFactors} (the NOLA layers' parametrisation and bases: a projection with
 * the same seed, shape and coefficients as a {@code NolaDense} has its ΔW). β starts at 0, so at step 0 the layer
 * computes exactly what the original does. JSON: every field by name, the original as a nested layer configuration.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class NolaAttention extends AttentionAdapter {

    private int numBasesA;
    private int numBasesB;
    private long basisSeed;
    private int quantizationBits;
    private int parametrisation = NolaFactors.PARAMETRISATION;

    private NolaAttention(Builder b) {
        super(b, b.attention);
        this.numBasesA = b.numBasesA;
        this.numBasesB = b.numBasesB;
        this.basisSeed = b.basisSeed;
        this.quantizationBits = b.quantizationBits;
    }

    /** No-arg constructor for JSON. */
    protected NolaAttention() {
    }

    /** @return the NOLA factors of projection {@code p} of this layer */
    public NolaFactors nolaFactors(AttentionProjection p) {
        return new NolaFactors(basisSeed, getRank(), numBasesA, numBasesB, fanIn(p), nOut(p), getScale(),
                quantizationBits, parametrisation);
    }

    @Override
    public String firstKey(AttentionProjection p) {
        return p.alphaKey();
    }

    @Override
    public String secondKey(AttentionProjection p) {
        return p.betaKey();
    }

    @Override
    protected long[] firstShape(AttentionProjection p) {
        return new long[] {1, numBasesA};
    }

    @Override
    protected long[] secondShape(AttentionProjection p) {
        return new long[] {1, numBasesB};
    }

    @Override
    protected void initFirst(AttentionProjection p, INDArray alpha) {
        alpha.assign(nolaFactors(p).initialAlpha(alpha.dataType()));
    }

    @Override
    protected SDVariable[] defineFactors(SameDiff sd, AttentionProjection p, Map<String, SDVariable> params,
                                         DataType dataType) {
        return nolaFactors(p).define(sd, params.get(p.alphaKey()), params.get(p.betaKey()), dataType,
                "nolaBases" + p.weightKey());
    }

    @Override
    public INDArray[] factors(AttentionProjection p, Map<String, INDArray> params) {
        return nolaFactors(p).factors(params.get(p.alphaKey()), params.get(p.betaKey()));
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

    public int getQuantizationBits() {
        return quantizationBits;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NolaAttention that) || !super.equals(o)) {
            return false;
        }
        return numBasesA == that.numBasesA && numBasesB == that.numBasesB && basisSeed == that.basisSeed
                && quantizationBits == that.quantizationBits && parametrisation == that.parametrisation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), numBasesA, numBasesB, basisSeed, quantizationBits, parametrisation);
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
            this.attention = wrappable(attention, "NolaAttention");
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
