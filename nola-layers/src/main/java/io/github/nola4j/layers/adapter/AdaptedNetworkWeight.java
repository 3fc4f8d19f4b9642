package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.attention.AttentionAdapter;
import io.github.nola4j.layers.attention.AttentionProjection;
import io.github.nola4j.layers.attention.LoraAttention;
import io.github.nola4j.layers.attention.NolaAttention;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One adapted weight of a network: what an adapter file holds one entry ({@link LayerAdapter}) for, what the
 * base fingerprint hashes, and what a merge folds s·ΔW into.
 * <pre>
 *   layer                    entry name   W key   bias key   1st, 2nd key     type            ΔW layout
 *   NolaDense/NolaConv2d "c" c            W       b or none  alpha, beta      its class name  the layer's
 *   LoraDense/LoraConv2d "c" c            W       b or none  A, B             its class name  the layer's
 *   NolaAttention "att"      att/Wq, ...  Wq, ... none       alphaQ, betaQ    NolaAttention   {@link AttentionProjection}'s
 *   LoraAttention "att"      att/Wq, ...  Wq, ... none       loraAQ, loraBQ   LoraAttention   {@link AttentionProjection}'s
 * </pre>
 * An attention layer has one entry per chosen projection. 0 in the second vector (β, B) makes ΔW = 0.
 */
public final class AdaptedNetworkWeight {

    private final String name;
    private final Layer layer;
    private final LayerAdapterKind kind;
    private final String type;
    private final String weightKey;
    private final String biasKey;
    private final String firstKey;
    private final String secondKey;
    private final int rank;
    private final double scale;
    private final long seed;
    private final NolaFactors nola;
    private final Function<Map<String, INDArray>, LowRankUpdate> update;

    private AdaptedNetworkWeight(String name, Layer layer, LayerAdapterKind kind, String type, String[] keys, int rank,
                          double scale, long seed, NolaFactors nola,
                          Function<Map<String, INDArray>, LowRankUpdate> update) {
        this.name = name;
        this.layer = layer;
        this.kind = kind;
        this.type = type;
        this.weightKey = keys[0];
        this.biasKey = keys[1];
        this.firstKey = keys[2];
        this.secondKey = keys[3];
        this.rank = rank;
        this.scale = scale;
        this.seed = seed;
        this.nola = nola;
        this.update = update;
    }

    /** @return the adapted weights of {@code layer}, in parameter order; empty when it has no adapter */
    public static List<AdaptedNetworkWeight> of(Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        String layerName = conf.getLayerName();
        List<AdaptedNetworkWeight> out = new ArrayList<>();
        if (conf instanceof AttentionAdapter attention) {
            for (AttentionProjection p : attention.getProjections()) {
                NolaFactors f = attention instanceof NolaAttention nola ? nola.nolaFactors(p) : null;
                long seed = f != null ? f.basisSeed() : ((LoraAttention) attention).getInitSeed();
                out.add(new AdaptedNetworkWeight(layerName + "/" + p.weightKey(), layer,
                        f != null ? LayerAdapterKind.NOLA : LayerAdapterKind.LORA, conf.getClass().getSimpleName(),
                        new String[] {p.weightKey(), null, attention.firstKey(p), attention.secondKey(p)},
                        attention.getRank(), attention.getScale(), seed, f, params -> attention.update(p, params)));
            }
            return out;
        }
        LayerAdapterKind kind = LayerAdapterKind.of(conf);
        if (kind == null) {
            return out;
        }
        LowRankLayer lowRank = (LowRankLayer) conf;
        NolaFactors f = conf instanceof NolaLayer n ? n.nolaFactors() : null;
        long seed = f != null ? f.basisSeed() : ((LoraLayer) conf).getInitSeed();
        out.add(new AdaptedNetworkWeight(layerName, layer, kind, conf.getClass().getSimpleName(),
                new String[] {NolaLayer.WEIGHT_KEY, lowRank.hasBias() ? NolaLayer.BIAS_KEY : null, kind.firstKey(),
                        kind.secondKey()}, lowRank.getRank(), lowRank.getScale(), seed, f, lowRank::update));
        return out;
    }

    /** @return whether {@code conf} holds adapted weights: a NOLA or LoRA layer, or an {@link AttentionAdapter} */
    public static boolean isAdapterLayer(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return LayerAdapterKind.isAdapterLayer(conf) || conf instanceof AttentionAdapter;
    }

    /** @return the entry name: the layer's name, or "layer/Wq", ... for an attention projection */
    public String name() {
        return name;
    }

    /** @return the layer that holds the weight */
    public Layer layer() {
        return layer;
    }

    /** @return NOLA coefficients or LoRA factors */
    public LayerAdapterKind kind() {
        return kind;
    }

    /** @return the frozen weight W (a view of the network's parameters) */
    public INDArray weight() {
        return layer.getParam(weightKey);
    }

    /** @return the frozen bias b (a view), or null when the weight has none */
    public INDArray bias() {
        return biasKey == null ? null : layer.getParam(biasKey);
    }

    /** @return the first trainable vector: α [1, k], or LoRA's A [fanIn, r] (a view) */
    public INDArray first() {
        return layer.getParam(firstKey);
    }

    /** @return the second trainable vector: β [1, l], or LoRA's B [r, nOut] (a view); 0 there makes ΔW = 0 */
    public INDArray second() {
        return layer.getParam(secondKey);
    }

    /** @return the parameter key of {@link #first()} in the layer */
    public String firstKey() {
        return firstKey;
    }

    /** @return the parameter key of {@link #second()} in the layer */
    public String secondKey() {
        return secondKey;
    }

    /** @return s·ΔW of the current coefficients, for merging into W in its layout */
    public LowRankUpdate update() {
        return update.apply(layer.paramTable());
    }

    /**
     * @return the entry's configuration and current values, NOLA coefficients in {@link NolaLayer#PARAMETRISATION}
     * (converted from the layer's, if it is older), LoRA's A and B in C order
     */
    public LayerAdapter capture() {
        float[] a = AdaptedNetwork.toFloatC(first());
        float[] b = AdaptedNetwork.toFloatC(second());
        if (nola != null) {
            NolaFactors.convertCoefficients(a, b, nola.parametrisation(), NolaLayer.PARAMETRISATION, nola.fanIn());
        }
        return new LayerAdapter(name, type, weight().shape(), biasKey != null, rank, a.length, b.length, scale, seed,
                a, b, kind);
    }

    /**
     * @return the entry's configuration with zero coefficients: what an adapter's entry is checked against
     *         ({@link AdapterChecks#requireCompatible}), without copying the network's values
     */
    public LayerAdapter configuration() {
        int a = (int) first().length();
        int b = (int) second().length();
        return new LayerAdapter(name, type, weight().shape(), biasKey != null, rank, a, b, scale, seed, new float[a],
                new float[b], kind);
    }

    /** Converts coefficients of a file ({@link NolaLayer#PARAMETRISATION}) in place to this weight's parametrisation. */
    public void fromFileParametrisation(float[] alpha, float[] beta) {
        if (nola != null) {
            NolaFactors.convertCoefficients(alpha, beta, NolaLayer.PARAMETRISATION, nola.parametrisation(),
                    nola.fanIn());
        }
    }
}
