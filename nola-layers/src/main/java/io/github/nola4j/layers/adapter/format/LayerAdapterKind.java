package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaLayer;

/**
 * What an adapter holds of one low-rank layer, and under which parameter keys:
 * <pre>
 *   NOLA  "nola"  alpha = α [k]          beta = β [l]          seed = basis seed (the bases depend on it)
 *   LoRA  "lora"  alpha = A [fanIn, r]   beta = B [r, nOut]    seed = A's init seed (informative only)
 * </pre>
 * LoRA has no seeded bases, so its trained A and B are stored in full (C order); in a
 * {@link LayerAdapter} its "k" is fanIn·r and its "l" is r·nOut. Setting the second vector to 0
 * (β or B) makes ΔW = 0 in both kinds, which is how a bank detaches and a merge folds.
 */
public enum LayerAdapterKind {
    /** NOLA coefficients over frozen seeded bases ({@link NolaLayer}). */
    NOLA("nola", NolaLayer.ALPHA_KEY, NolaLayer.BETA_KEY),
    /** LoRA factors stored in full ({@link LoraLayer}). */
    LORA("lora", LoraLayer.A_KEY, LoraLayer.B_KEY);

    private final String json;
    private final String firstKey;
    private final String secondKey;

    LayerAdapterKind(String json, String firstKey, String secondKey) {
        this.json = json;
        this.firstKey = firstKey;
        this.secondKey = secondKey;
    }

    /** @return the value of the layer entry's "kind" field in an adapter file */
    public String json() {
        return json;
    }

    /** @return the parameter key of the first stored vector (α, or A) */
    public String firstKey() {
        return firstKey;
    }

    /** @return the parameter key of the second stored vector (β, or B); 0 there means ΔW = 0 */
    public String secondKey() {
        return secondKey;
    }

    /** @return the kind of a layer configuration, or null when it is not an adapter layer */
    public static LayerAdapterKind of(org.deeplearning4j.nn.conf.layers.Layer conf) {
        if (conf instanceof NolaLayer) {
            return NOLA;
        }
        return conf instanceof LoraLayer ? LORA : null;
    }

    /** @return whether {@code conf} is a layer whose adapter an adapter file holds (NOLA or LoRA) */
    public static boolean isAdapterLayer(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return of(conf) != null;
    }

    /**
     * @param json a layer entry's "kind" ("nola" or "lora")
     * @throws AdapterFormatException naming the value and the known kinds
     */
    public static LayerAdapterKind fromJson(String json) {
        for (LayerAdapterKind k : values()) {
            if (k.json.equals(json)) {
                return k;
            }
        }
        throw new AdapterFormatException("layer kind \"" + json + "\" is unknown: this nola4j reads \"nola\" and"
                + " \"lora\"; use the nola4j release that wrote the file (its \"library_version\")");
    }

    /** @return the low-rank configuration of a layer whose configuration is of this kind */
    public static LowRankLayer config(org.deeplearning4j.nn.api.Layer layer) {
        return (LowRankLayer) layer.conf().getLayer();
    }
}
