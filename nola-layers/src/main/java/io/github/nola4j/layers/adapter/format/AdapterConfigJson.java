package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.NolaLayer;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.github.nola4j.layers.adapter.format.ConfigFields.array;
import static io.github.nola4j.layers.adapter.format.ConfigFields.bool;
import static io.github.nola4j.layers.adapter.format.ConfigFields.integer;
import static io.github.nola4j.layers.adapter.format.ConfigFields.number;
import static io.github.nola4j.layers.adapter.format.ConfigFields.object;
import static io.github.nola4j.layers.adapter.format.ConfigFields.optionalText;
import static io.github.nola4j.layers.adapter.format.ConfigFields.requireShallow;
import static io.github.nola4j.layers.adapter.format.ConfigFields.shape;
import static io.github.nola4j.layers.adapter.format.ConfigFields.text;

/**
 * The readable configuration part of an adapter file, in the spirit of PEFT's
 * adapter_config.json. It describes everything except the numbers:
 * <pre>
 * {
 *   "format": "nola4j-adapter", "format_version": 2, "parametrisation": 2,
 *   "library_version": "0.1.0",      (optional, default "": written before releases were recorded)
 *   "peft_type": "NOLA",             ("LORA" when every layer is LoRA; informative)
 *   "task": "fashion-5-9",
 *   "generator": {"id": "nola4j-splitmix64-boxmuller", "version": 1},
 *   "base_fingerprint": {"scheme": "nola4j-base-fp-v1", "sha256": "64 hex digits"},
 *   "coefficients": {"bits": 4, "scheme": "symmetric-maxabs-per-vector"},     (or 32, "fp32")
 *   "layers": [{"name": "conv1", "type": "NolaConv2d", "weight_shape": [32, 1, 3, 3], "bias": true,
 *               "r": 4, "k": 256, "l": 256, "scale": 0.25, "basis_seed": 1313819713},
 *             {"name": "fc", "kind": "lora", "type": "LoraDense", "weight_shape": [128, 64], "bias": true,
 *               "r": 4, "k": 512, "l": 256, "scale": 0.25, "basis_seed": 1282368065},
 *             {"name": "attn/Wq", "type": "NolaAttention", "weight_shape": [2, 4, 8], "bias": false,
 *               "r": 4, "k": 64, "l": 64, "scale": 0.25, "basis_seed": 42}, ...],
 *   "extra_tensors": [{"layer": "head", "param": "W", "shape": [128, 5], "dtype": "float32"}, ...],
 *   "transfer": {...}       (optional: how the network was built, {@link Adapter#transferJson()})
 * }
 * </pre>
 * The payload holds, in this order, α and β of each entry of "layers" and the values of each
 * entry of "extra_tensors". Unknown fields are ignored, so later minor versions may add some.
 * "parametrisation" (of α and β, {@code NolaLayer}) is absent in format version 1, where it is 1.
 * "basis_seed" is the seed the layer's bases come from (with per-layer seeds, the one derived
 * from the layer name). An attention layer has one entry per adapted projection, named "layer/Wq", ... with
 * W's own shape ({@link LayerAdapter#ATTENTION_TYPES}: fanIn = nIn for Wq, Wk, Wv [nHeads, headSize, nIn]).
 *
 * <p>Fields added within format version 2, optional with these defaults so that earlier files
 * read: "library_version" (the nola4j release that wrote the file; "" when absent) and a layer's
 * "kind" ("nola" when absent; "lora" entries hold A [fanIn, r] as "k" = fanIn·r values and B
 * [r, nOut] as "l" = r·nOut values, and "basis_seed" is A's init seed).
 */
public final class AdapterConfigJson {

    /** The scheme of the base fingerprint a file records ({@code BaseFingerprint} computes it). */
    public static final String FINGERPRINT_SCHEME = "nola4j-base-fp-v1";
    static final String FORMAT_NAME = "nola4j-adapter";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One entry of "layers": a {@link LayerAdapter} without its coefficients. */
    record LayerEntry(String name, String type, long[] weightShape, boolean hasBias, int rank, int k, int l,
                      double scale, long basisSeed, LayerAdapterKind kind) {
    }

    /** One entry of "extra_tensors": an {@link ExtraTensor} without its values. */
    record TensorEntry(String layer, String param, long[] shape) {
    }

    /** The parsed configuration: everything but the numbers, so nothing is sized from it yet. */
    record Config(String task, String generatorId, int generatorVersion, String baseFingerprint,
                  CoefficientEncoding encoding, List<LayerEntry> layers, List<TensorEntry> tensors,
                  String transferJson, String libraryVersion) {
    }

    private AdapterConfigJson() {
    }

    /** @return the configuration of {@code adapter} stored with {@code encoding}, as UTF-8 JSON */
    static byte[] write(Adapter adapter, CoefficientEncoding encoding, boolean pretty) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT_NAME);
        root.put("format_version", AdapterFrame.FORMAT_VERSION);
        root.put("parametrisation", NolaLayer.PARAMETRISATION);
        if (!adapter.libraryVersion().isEmpty()) {
            root.put("library_version", adapter.libraryVersion());
        }
        boolean allLora = !adapter.layers().isEmpty()
                && adapter.layers().stream().allMatch(l -> l.kind() == LayerAdapterKind.LORA);
        root.put("peft_type", allLora ? "LORA" : "NOLA");
        root.put("task", adapter.task());
        ObjectNode gen = root.putObject("generator");
        gen.put("id", adapter.generatorId());
        gen.put("version", adapter.generatorVersion());
        ObjectNode fp = root.putObject("base_fingerprint");
        fp.put("scheme", FINGERPRINT_SCHEME);
        fp.put("sha256", adapter.baseFingerprint());
        ObjectNode coef = root.putObject("coefficients");
        coef.put("bits", encoding.bits());
        coef.put("scheme", encoding.scheme());
        ArrayNode layers = root.putArray("layers");
        for (LayerAdapter la : adapter.layers()) {
            ObjectNode l = layers.addObject();
            l.put("name", la.name());
            if (la.kind() != LayerAdapterKind.NOLA) {
                l.put("kind", la.kind().json());
            }
            l.put("type", la.type());
            ArrayNode shape = l.putArray("weight_shape");
            for (long d : la.weightShape()) {
                shape.add(d);
            }
            l.put("bias", la.hasBias());
            l.put("r", la.rank());
            l.put("k", la.numBasesA());
            l.put("l", la.numBasesB());
            l.put("scale", la.scale());
            l.put("basis_seed", la.basisSeed());
        }
        ArrayNode extras = root.putArray("extra_tensors");
        for (ExtraTensor t : adapter.extraTensors()) {
            ObjectNode e = extras.addObject();
            e.put("layer", t.layer());
            e.put("param", t.param());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.put("dtype", "float32");
        }
        if (!adapter.transferJson().isEmpty()) {
            try {
                root.set("transfer", MAPPER.readTree(adapter.transferJson()));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("adapter transferJson is not valid JSON (" + e.getOriginalMessage()
                        + "); pass a JSON object or \"\"", e);
            }
        }
        try {
            String json = pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root)
                    : MAPPER.writeValueAsString(root);
            return json.getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write adapter configuration JSON", e);
        }
    }

    /**
     * Parses and checks the configuration. Nothing is allocated from declared sizes here: the
     * caller checks them against the payload length first.
     *
     * @throws AdapterFormatException naming the field that is missing, of the wrong type or out of range
     */
    static Config read(byte[] utf8, int headerVersion, int headerParametrisation) {
        requireShallow(utf8);
        JsonNode root;
        try {
            root = MAPPER.readTree(utf8);
        } catch (Exception e) {
            throw new AdapterFormatException("adapter configuration is not valid JSON (" + e.getMessage()
                    + "); the file is corrupt, write it again", e);
        }
        if (root == null || !root.isObject()) {
            throw new AdapterFormatException("adapter configuration must be a JSON object; the file is corrupt");
        }
        String format = text(root, "format");
        if (!FORMAT_NAME.equals(format)) {
            throw new AdapterFormatException("configuration field format = \"" + format + "\" must be \""
                    + FORMAT_NAME + "\"; this is not a nola4j adapter");
        }
        long version = integer(root, "format_version", 1, Integer.MAX_VALUE);
        if (version != headerVersion) {
            throw new AdapterFormatException("configuration format_version = " + version + " but the header says "
                    + headerVersion + "; the file is corrupt");
        }
        if (version != AdapterFrame.FORMAT_VERSION_1) {
            long p = integer(root, "parametrisation", 1, Integer.MAX_VALUE);
            if (p != headerParametrisation) {
                throw new AdapterFormatException("configuration parametrisation = " + p + " but the header says "
                        + headerParametrisation + "; the file is corrupt");
            }
        }
        JsonNode gen = object(root, "generator");
        JsonNode fp = object(root, "base_fingerprint");
        String scheme = text(fp, "scheme");
        if (!FINGERPRINT_SCHEME.equals(scheme)) {
            throw new AdapterFormatException("base_fingerprint.scheme = \"" + scheme + "\" is unknown; this library"
                    + " uses " + FINGERPRINT_SCHEME + ". Use the nola4j release that wrote the adapter");
        }
        String sha = text(fp, "sha256");
        if (!sha.matches("[0-9a-f]{64}")) {
            throw new AdapterFormatException("base_fingerprint.sha256 = \"" + sha + "\" must be 64 lower-case hex"
                    + " digits; the file is corrupt");
        }
        int bits = (int) integer(object(root, "coefficients"), "bits", 2, 32);
        CoefficientEncoding encoding;
        try {
            encoding = new CoefficientEncoding(bits);
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException("coefficients.bits: " + e.getMessage(), e);
        }
        List<LayerEntry> layers = new ArrayList<>();
        for (JsonNode l : array(root, "layers")) {
            layers.add(layerEntry(l));
        }
        List<TensorEntry> extras = new ArrayList<>();
        for (JsonNode e : array(root, "extra_tensors")) {
            String dtype = text(e, "dtype");
            if (!"float32".equals(dtype)) {
                throw new AdapterFormatException("extra_tensors dtype = \"" + dtype + "\" is not supported; only"
                        + " float32 is");
            }
            extras.add(new TensorEntry(text(e, "layer"), text(e, "param"), shape(e, "shape", 0)));
        }
        JsonNode transfer = root.get("transfer");
        return new Config(text(root, "task"), text(gen, "id"), (int) integer(gen, "version", 0, Integer.MAX_VALUE),
                sha, encoding, layers, extras, transfer != null && transfer.isObject() ? transfer.toString() : "",
                optionalText(root, "library_version", ""));
    }

    /** @return one "layers" entry; a LoRA entry's k and l must be the value counts of A and B */
    private static LayerEntry layerEntry(JsonNode l) {
        LayerAdapterKind kind = LayerAdapterKind.fromJson(optionalText(l, "kind", LayerAdapterKind.NOLA.json()));
        LayerEntry e = new LayerEntry(text(l, "name"), text(l, "type"), shape(l, "weight_shape", 1),
                bool(l, "bias"), (int) integer(l, "r", 1, Integer.MAX_VALUE),
                (int) integer(l, "k", 1, Integer.MAX_VALUE), (int) integer(l, "l", 1, Integer.MAX_VALUE),
                number(l, "scale"), integer(l, "basis_seed", Long.MIN_VALUE, Long.MAX_VALUE), kind);
        if (kind == LayerAdapterKind.LORA) {
            long fanIn = LayerAdapter.fanIn(e.type(), e.weightShape());
            long nOut = LayerAdapter.nOut(e.type(), e.weightShape());
            if (e.k() != fanIn * e.rank() || e.l() != e.rank() * nOut) {
                throw new AdapterFormatException("LoRA layer \"" + e.name() + "\": k = " + e.k() + " and l = " + e.l()
                        + " must be fanIn·r = " + fanIn * e.rank() + " and r·nOut = " + e.rank() * nOut
                        + " (A and B in full); the file is corrupt");
            }
        }
        return e;
    }
}
