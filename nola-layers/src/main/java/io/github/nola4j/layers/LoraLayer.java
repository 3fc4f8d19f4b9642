package io.github.nola4j.layers;

import io.github.nola4j.layers.basis.BasisGenerator;
import io.github.nola4j.layers.basis.BasisRole;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Objects;

/**
 * The LoRA update (Hu et al. 2021), on the same code path as NOLA so the two compare like for like:
 * <pre>
 *   ΔW = s · A · B,   A [fanIn, r] trainable,   B [r, nOut] trainable
 * </pre>
 * A starts Kaiming-uniform, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) as PyTorch's LoRA, drawn from the
 * portable generator with {@link #getInitSeed()}; B starts at 0, so ΔW = 0 at step 0.
 * Trainable parameters: r·(fanIn + nOut).
 */
public abstract class LoraLayer extends LowRankLayer {

    /** Trainable down-projection A, shape [fanIn, r]. */
    public static final String A_KEY = "loraA";
    /** Trainable up-projection B, shape [r, nOut]. */
    public static final String B_KEY = "loraB";

    /** Default seed of A's initial values. */
    public static final long DEFAULT_INIT_SEED = 0x4C6F5241L; // "LoRA"

    protected long initSeed;

    protected LoraLayer(Builder<?> b) {
        super(b);
        this.initSeed = b.initSeed;
    }

    /** No-arg constructor for JSON. */
    protected LoraLayer() {
    }

    @Override
    protected void defineTrainableParameters(SDLayerParams params) {
        params.addWeightParam(A_KEY, fanIn(), rank);
        params.addWeightParam(B_KEY, rank, nOut);
    }

    @Override
    protected void initializeTrainableParameters(Map<String, INDArray> params) {
        INDArray a = params.get(A_KEY);
        a.assign(initialA(initSeed, fanIn(), rank, a.dataType()));
        params.get(B_KEY).assign(0);
    }

    /**
     * @return A at step 0, [fanIn, r]: Kaiming-uniform U(-1/sqrt(fanIn), 1/sqrt(fanIn)) from the portable
     *         generator, stream 1 of {@link BasisRole#ALPHA_INIT} of {@code seed} (the layers and the graph adapter)
     */
    public static INDArray initialA(long seed, long fanIn, int rank, DataType dataType) {
        long key = BasisGenerator.key(seed, BasisRole.ALPHA_INIT.stream(1));
        double bound = 1.0 / Math.sqrt(fanIn);
        double[] values = new double[Math.toIntExact(fanIn * rank)];
        for (int i = 0; i < values.length; i++) {
            values[i] = bound * (2.0 * BasisGenerator.uniform(key, i) - 1.0);
        }
        return Nd4j.createFromArray(values).reshape(fanIn, rank).castTo(dataType);
    }

    /** @return {A, s·B} in a graph from LoRA's trainable A [fanIn, r] and B [r, nOut] */
    public static SDVariable[] defineScaledFactors(SDVariable a, SDVariable b, double scale) {
        return new SDVariable[] {a, b.mul(scale)};
    }

    @Override
    protected boolean isTrainableKey(String paramName) {
        return A_KEY.equals(paramName) || B_KEY.equals(paramName);
    }

    @Override
    public SDVariable[] defineFactors(SameDiff sd, Map<String, SDVariable> params, DataType dataType) {
        return defineScaledFactors(params.get(A_KEY), params.get(B_KEY), scale);
    }

    @Override
    public INDArray[] factors(Map<String, INDArray> params) {
        return new INDArray[] {params.get(A_KEY), params.get(B_KEY).mul(scale)};
    }

    /** dA is A's gradient; B's is s·dL/d(s·B). */
    @Override
    public void trainableGradients(Map<String, INDArray> params, INDArray dA, INDArray dB,
                                   Map<String, INDArray> out) {
        out.get(A_KEY).assign(dA);
        out.get(B_KEY).assign(dB).muli(scale);
    }

    /** @return r·(fanIn + nOut) */
    @Override
    public long numTrainableParams() {
        return (long) rank * (fanIn() + nOut);
    }

    public long getInitSeed() {
        return initSeed;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && initSeed == ((LoraLayer) o).initSeed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), initSeed);
    }

    /** Builder of the LoRA options. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> extends LowRankLayer.Builder<T> {
        protected long initSeed = DEFAULT_INIT_SEED;

        /** Seed of A's Kaiming-uniform initial values. */
        public T initSeed(long seed) {
            this.initSeed = seed;
            return (T) this;
        }
    }
}
