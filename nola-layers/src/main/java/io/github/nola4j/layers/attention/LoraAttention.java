package io.github.nola4j.layers.attention;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.ops.OptionCheck;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Map;
import java.util.Objects;

/**
 * LoRA on chosen projections of one of DL4J's attention layers ({@link AttentionAdapter}), the baseline NOLA is
 * compared with: each chosen projection weight W is replaced by W + A·(s·B), with A [fanIn, r] and B [r, nOut]
 * trained in full (keys {@code loraAQ}, {@code loraBQ}, ...), A starting as the LoRA layers' A
 * ({@link LoraLayer#initialA}, from the seed) and B at 0, so at step 0 the layer computes exactly what the original
 * does. fanIn and nOut per projection are {@link AttentionProjection}'s. JSON: every field by name.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class LoraAttention extends AttentionAdapter {

    private long initSeed;

    private LoraAttention(Builder b) {
        super(b, b.attention);
        this.initSeed = b.basisSeed;
    }

    /** No-arg constructor for JSON. */
    protected LoraAttention() {
    }

    @Override
    public String firstKey(AttentionProjection p) {
        return LoraLayer.A_KEY + p.name();
    }

    @Override
    public String secondKey(AttentionProjection p) {
        return LoraLayer.B_KEY + p.name();
    }

    @Override
    protected long[] firstShape(AttentionProjection p) {
        return new long[] {fanIn(p), getRank()};
    }

    @Override
    protected long[] secondShape(AttentionProjection p) {
        return new long[] {getRank(), nOut(p)};
    }

    @Override
    protected void initFirst(AttentionProjection p, INDArray a) {
        a.assign(LoraLayer.initialA(initSeed, fanIn(p), getRank(), a.dataType()));
    }

    @Override
    protected SDVariable[] defineFactors(SameDiff sd, AttentionProjection p, Map<String, SDVariable> params,
                                         DataType dataType) {
        return LoraLayer.defineScaledFactors(params.get(firstKey(p)), params.get(secondKey(p)), getScale());
    }

    @Override
    public INDArray[] factors(AttentionProjection p, Map<String, INDArray> params) {
        return new INDArray[] {params.get(firstKey(p)), params.get(secondKey(p)).mul(getScale())};
    }

    /** @return the seed of A's start */
    public long getInitSeed() {
        return initSeed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoraAttention that && super.equals(o) && initSeed == that.initSeed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), initSeed);
    }

    /**
     * Builds a {@link LoraAttention} around a copy of {@code attention}: by default on q and v
     * ({@link AttentionProjection#DEFAULT}), rank 4, s = 1/r, A's start from the NOLA layers' default seed
     * ({@link #basisSeed}); k, l and quantisation-aware training are NOLA's options and refused here.
     */
    public static final class Builder extends AttentionAdapterOptions<Builder> {
        private final SameDiffLayer attention;

        /** @param attention the original layer: see {@link AdaptableAttention#whyNot} */
        public Builder(SameDiffLayer attention) {
            this.attention = wrappable(attention, "LoraAttention");
        }

        @Override
        String owner() {
            return "LoraAttention \"" + attention.getLayerName() + "\"";
        }

        @Override
        @SuppressWarnings("unchecked")
        public LoraAttention build() {
            validate();
            OptionCheck.require(quantizationBits == 0, owner(), "quantizationBits", quantizationBits, "must be 0: LoRA"
                    + " factors train in full precision", "use NolaAttention for quantisation-aware training");
            return new LoraAttention(this);
        }
    }
}
