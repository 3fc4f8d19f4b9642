package io.github.nola4j.layers;

import io.github.nola4j.layers.basis.BasisCache;
import io.github.nola4j.layers.basis.BasisGenerator;
import io.github.nola4j.layers.basis.BasisSeeds;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Objects;

/**
 * The NOLA update: the factors of ΔW are mixtures of frozen random bases.
 * <pre>
 *   ΔW = s · A · B                              [fanIn, nOut] (DL4J orientation)
 *   A  = cA · Σ_{i&lt;k} α_i A_i,  cA = 1/sqrt(3k)     A_i ~ N(0,1) [fanIn, r]
 *   B  = cB · Σ_{j&lt;l} β_j B_j,  cB = 1/sqrt(3l)     B_j ~ N(0,1) [r, nOut]
 *   α at step 0 ~ U(-sqrt(3/fanIn), sqrt(3/fanIn)),  β at step 0 = 0
 * </pre>
 * Beside the official code (UCDvision/NOLA, {@code llama/peft/tuners/lora.py}: {@code GenerateParams}
 * draws each basis {@code nn.init.uniform_(W, -1, 1)} and multiplies it by {@code 1/sqrt(num_basis)},
 * then {@code einsum('b,boi->oi', coefficients, W)}): a basis entry there is U(-1, 1)/sqrt(k), of
 * variance 1/(3k); here it is cA·N(0, 1), of the same variance 1/(3k), from this project's portable
 * generator ({@link BasisGenerator}) instead of torch's global one. So one unit of α or β moves A or B
 * as much as in the official code, and Adam, whose step does not depend on the gradient's size, trains
 * at the official learning rates. The official code starts the coefficients at 0 and keeps a frozen
 * Kaiming-uniform A beside the mixture; here α starts where A = cA·Σ α_i A_i has that Kaiming-uniform
 * spread, variance 1/(3·fanIn), with no extra frozen matrix, and β starts at 0, so ΔW = 0 and the layer
 * equals its base at step 0. The official LLM code draws a seed per layer; here layers share one basis
 * family by default ({@link BasisCache}), and {@link NolaOptions#basisSeedPerLayer} derives a seed from the
 * layer name instead ({@link #effectiveBasisSeed}). Only α [1, k] and β [1, l] train.
 *
 * <p>Parametrisation 1 (releases before {@link #PARAMETRISATION} 2) used cA = 1/sqrt(k·fanIn),
 * cB = 1/sqrt(l) and α at step 0 in [-1, 1): the same ΔW as α' = α·sqrt(3/fanIn), β' = β·sqrt(3).
 * A layer read from JSON that does not name its parametrisation keeps parametrisation 1, so old saved
 * networks give the same outputs; adapter files are converted on load ({@link #convertCoefficients}).
 */
public abstract class NolaLayer extends LowRankLayer {

    /** Trainable coefficients of the A bases, shape [1, k]. */
    public static final String ALPHA_KEY = "alpha";
    /** Trainable coefficients of the B bases, shape [1, l]. */
    public static final String BETA_KEY = "beta";

    /** The parametrisation new layers use ({@link NolaFactors#PARAMETRISATION}). */
    public static final int PARAMETRISATION = NolaFactors.PARAMETRISATION;
    /** The parametrisation of releases before 2 ({@link NolaFactors#PARAMETRISATION_1}). */
    public static final int PARAMETRISATION_1 = NolaFactors.PARAMETRISATION_1;

    /** Default basis seed, used when none is set. */
    public static final long DEFAULT_BASIS_SEED = 0x4E4F4C41L; // "NOLA"

    protected int numBasesA;
    protected int numBasesB;
    protected long basisSeed;
    /** Bits of quantisation-aware training of α and β, or 0 for none. */
    protected int quantizationBits;
    /** Whether the bases come from a seed derived from the layer name ({@link #effectiveBasisSeed}). */
    protected boolean basisSeedPerLayer;
    /** Parametrisation of α and β; JSON without it means 1 (class javadoc). */
    protected int parametrisation = PARAMETRISATION_1;
    /**
     * Whether the layer trains in its network's basis family product ({@link BasisFamilies}): true by
     * default and for JSON without it. Saved with the network, since it chooses the rounding of the
     * coefficients' gradients: a saved copy must train on bit-identically. Not part of {@link #equals}.
     */
    protected boolean basisFamilyProduct = true;

    protected NolaLayer(Builder<?> b) {
        super(b);
        this.numBasesA = b.numBasesA;
        this.numBasesB = b.numBasesB;
        this.basisSeed = b.basisSeed;
        this.quantizationBits = b.quantizationBits;
        this.basisSeedPerLayer = b.basisSeedPerLayer;
        this.parametrisation = PARAMETRISATION;
    }

    /** No-arg constructor for JSON. */
    protected NolaLayer() {
    }

    @Override
    protected void defineTrainableParameters(SDLayerParams params) {
        params.addWeightParam(ALPHA_KEY, 1, numBasesA);
        params.addWeightParam(BETA_KEY, 1, numBasesB);
    }

    @Override
    protected void initializeTrainableParameters(Map<String, INDArray> params) {
        params.get(ALPHA_KEY).assign(nolaFactors().initialAlpha(params.get(ALPHA_KEY).dataType()));
        params.get(BETA_KEY).assign(0);
    }

    @Override
    protected boolean isTrainableKey(String paramName) {
        return ALPHA_KEY.equals(paramName) || BETA_KEY.equals(paramName);
    }

    @Override
    public SDVariable[] defineFactors(SameDiff sd, Map<String, SDVariable> params, DataType dataType) {
        return nolaFactors().define(sd, params.get(ALPHA_KEY), params.get(BETA_KEY), dataType, "nolaBases");
    }

    /** @return this layer's factors as a {@link NolaFactors}, the definition the graph adapter shares */
    public NolaFactors nolaFactors() {
        return new NolaFactors(effectiveBasisSeed(), rank, numBasesA, numBasesB, fanIn(), nOut, scale,
                quantizationBits, parametrisation);
    }

    @Override
    public INDArray[] factors(Map<String, INDArray> params) {
        return nolaFactors().factors(params.get(ALPHA_KEY), params.get(BETA_KEY));
    }

    /** dα = cA·vec(dA)·basesA, dβ = s·cB·vec(dBᵀ)·basesB ({@link NolaFactors#gradients}), straight through quantisation. */
    @Override
    public void trainableGradients(Map<String, INDArray> params, INDArray dA, INDArray dB,
                                   Map<String, INDArray> out) {
        nolaFactors().gradients(dA, dB, out.get(ALPHA_KEY), out.get(BETA_KEY));
    }

    /** @return sqrt(3/fanIn), the bound of α at step 0 (parametrisation 2; 1 in parametrisation 1) */
    public double initialAlphaBound() {
        return NolaFactors.initialAlphaBound(parametrisation, fanIn());
    }

    /**
     * @return the seed the bases and α's start come from: the basis seed, or with
     * {@link NolaOptions#basisSeedPerLayer} the key of the basis seed and the layer name
     * ({@link BasisSeeds#forLayer})
     */
    public long effectiveBasisSeed() {
        if (!basisSeedPerLayer) {
            return basisSeed;
        }
        if (getLayerName() == null) {
            throw new IllegalStateException("NOLA layer without a name has basisSeedPerLayer = true, which derives "
                    + "the basis seed from the name; set .name(\"...\") or drop .basisSeedPerLayer(true)");
        }
        return BasisSeeds.forLayer(basisSeed, getLayerName());
    }

    private INDArray basesA(DataType dataType) {
        return nolaFactors().basesA(dataType);
    }

    private INDArray basesB(DataType dataType) {
        return nolaFactors().basesB(dataType);
    }

    /** @return cA = 1/sqrt(3k) (parametrisation 1: 1/sqrt(k · fanIn)) */
    public double coefficientScaleA() {
        return nolaFactors().coefficientScaleA();
    }

    /** @return cB = 1/sqrt(3l) (parametrisation 1: 1/sqrt(l)) */
    public double coefficientScaleB() {
        return nolaFactors().coefficientScaleB();
    }

    /** @return trainable parameters of this layer: k + l */
    @Override
    public long numTrainableParams() {
        return (long) numBasesA + numBasesB;
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

    /** @return whether the bases come from a seed derived from the layer name */
    public boolean isBasisSeedPerLayer() {
        return basisSeedPerLayer;
    }

    /** @return the parametrisation of α and β, {@link #PARAMETRISATION} for new layers */
    public int getParametrisation() {
        return parametrisation;
    }

    /** @return bits of quantisation-aware training, or 0 when α and β train in full precision */
    public int getQuantizationBits() {
        return quantizationBits;
    }

    /** @return whether the layer trains in its network's basis family product (the default) */
    public boolean isBasisFamilyProduct() {
        return basisFamilyProduct;
    }

    /** Set through {@link BasisFamilies#attach} and {@link BasisFamilies#detach}. */
    void setBasisFamilyProduct(boolean inFamily) {
        this.basisFamilyProduct = inFamily;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        NolaLayer that = (NolaLayer) o;
        return numBasesA == that.numBasesA && numBasesB == that.numBasesB && basisSeed == that.basisSeed
                && quantizationBits == that.quantizationBits && basisSeedPerLayer == that.basisSeedPerLayer
                && parametrisation == that.parametrisation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), numBasesA, numBasesB, basisSeed, quantizationBits, basisSeedPerLayer,
                parametrisation);
    }

    /** Builder of the NOLA options ({@link NolaOptions}). */
    public abstract static class Builder<T extends Builder<T>> extends NolaOptions<T> {
    }
}
