package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The readable configuration part of an adapter file, in the spirit of PEFT's
 * adapter_config.json. It describes everything except the numbers:
 * <pre>
 * {
 *   "format": "nola4j-adapter", "format_version": 2, "parametrisation": 2, "peft_type": "NOLA",
 *   "task": "fashion-5-9",
 *   "generator": {"id": "nola4j-splitmix64-boxmuller", "version": 1},
 *   "base_fingerprint": {"scheme": "nola4j-base-fp-v1", "sha256": "64 hex digits"},
 *   "coefficients": {"bits": 4, "scheme": "symmetric-maxabs-per-vector"},     (or 32, "fp32")
 *   "layers": [{"name": "conv1", "type": "NolaConv2d", "weight_shape": [32, 1, 3, 3], "bias": true,
 *               "r": 4, "k": 256, "l": 256, "scale": 0.25, "basis_seed": 1313819713}, ...],
 *   "extra_tensors": [{"layer": "head", "param": "W", "shape": [128, 5], "dtype": "float32"}, ...],
 *   "transfer": {...}       (optional: how the network was built, {@link Adapter#transferJson()})
 * }
 * </pre>
 * The payload holds, in this order, α and β of each entry of "layers" and the values of each
 * entry of "extra_tensors". Unknown fields are ignored, so later minor versions may add some.
 * "parametrisation" (of α and β, {@code NolaLayer}) is absent in format version 1, where it is 1.
 * "basis_seed" is the seed the layer's bases come from (with per-layer seeds, the one derived
 * from the layer name).
 */
final class AdapterConfigJson {

    static final String FORMAT_NAME = "nola4j-adapter";
    private static final int MAX_DEPTH = 8;
    private static final int MAX_SHAPE_RANK = 8;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One entry of "layers": a {@link LayerAdapter} without its coefficients. */
    record LayerEntry(String name, String type, long[] weightShape, boolean hasBias, int rank, int k, int l,
                      double scale, long basisSeed) {
    }

    /** One entry of "extra_tensors": an {@link ExtraTensor} without its values. */
    record TensorEntry(String layer, String param, long[] shape) {
    }

    /** The parsed configuration: everything but the numbers, so nothing is sized from it yet. */
    record Config(String task, String generatorId, int generatorVersion, String baseFingerprint,
                  CoefficientEncoding encoding, List<LayerEntry> layers, List<TensorEntry> tensors,
                  String transferJson) {
    }

    private AdapterConfigJson() {
    }

    /** @return the configuration of {@code adapter} stored with {@code encoding}, as UTF-8 JSON */
    static byte[] write(Adapter adapter, CoefficientEncoding encoding, boolean pretty) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT_NAME);
        root.put("format_version", AdapterCodec.FORMAT_VERSION);
        root.put("parametrisation", NolaLayer.PARAMETRISATION);
        root.put("peft_type", "NOLA");
        root.put("task", adapter.task());
        ObjectNode gen = root.putObject("generator");
        gen.put("id", adapter.generatorId());
        gen.put("version", adapter.generatorVersion());
        ObjectNode fp = root.putObject("base_fingerprint");
        fp.put("scheme", BaseFingerprint.SCHEME);
        fp.put("sha256", adapter.baseFingerprint());
        ObjectNode coef = root.putObject("coefficients");
        coef.put("bits", encoding.bits());
        coef.put("scheme", encoding.scheme());
        ArrayNode layers = root.putArray("layers");
        for (LayerAdapter la : adapter.layers()) {
            ObjectNode l = layers.addObject();
            l.put("name", la.name());
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
        if (version != AdapterCodec.FORMAT_VERSION_1) {
            long p = integer(root, "parametrisation", 1, Integer.MAX_VALUE);
            if (p != headerParametrisation) {
                throw new AdapterFormatException("configuration parametrisation = " + p + " but the header says "
                        + headerParametrisation + "; the file is corrupt");
            }
        }
        JsonNode gen = object(root, "generator");
        JsonNode fp = object(root, "base_fingerprint");
        String scheme = text(fp, "scheme");
        if (!BaseFingerprint.SCHEME.equals(scheme)) {
            throw new AdapterFormatException("base_fingerprint.scheme = \"" + scheme + "\" is unknown; this library"
                    + " uses " + BaseFingerprint.SCHEME + ". Use the nola4j release that wrote the adapter");
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
            layers.add(new LayerEntry(text(l, "name"), text(l, "type"), shape(l, "weight_shape", 1),
                    bool(l, "bias"), (int) integer(l, "r", 1, Integer.MAX_VALUE),
                    (int) integer(l, "k", 1, Integer.MAX_VALUE), (int) integer(l, "l", 1, Integer.MAX_VALUE),
                    number(l, "scale"), integer(l, "basis_seed", Long.MIN_VALUE, Long.MAX_VALUE)));
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
                sha, encoding, layers, extras, transfer != null && transfer.isObject() ? transfer.toString() : "");
    }

    /** Rejects nesting deeper than {@value #MAX_DEPTH} before Jackson recurses into it. */
    private static void requireShallow(byte[] json) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte c = json[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new AdapterFormatException("adapter configuration nests deeper than " + MAX_DEPTH
                            + " levels; the file is corrupt or hostile");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    private static JsonNode field(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" is missing; the file is"
                    + " corrupt or from an incompatible writer");
        }
        return v;
    }

    private static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isTextual()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be a string");
        }
        return v.textValue();
    }

    private static boolean bool(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isBoolean()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be true or false");
        }
        return v.booleanValue();
    }

    private static double number(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be a finite number");
        }
        return v.doubleValue();
    }

    private static long integer(JsonNode node, String name, long min, long max) {
        JsonNode v = field(node, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be an integer in [" + min + ", " + max + "]");
        }
        return v.longValue();
    }

    private static JsonNode object(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isObject()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" must be an object");
        }
        return v;
    }

    private static JsonNode array(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isArray()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" must be an array");
        }
        for (JsonNode e : v) {
            if (!e.isObject()) {
                throw new AdapterFormatException("adapter configuration: entries of \"" + name
                        + "\" must be objects, got " + e);
            }
        }
        return v;
    }

    private static long[] shape(JsonNode node, String name, long minDim) {
        JsonNode v = field(node, name);
        if (!v.isArray() || v.size() > MAX_SHAPE_RANK) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be an array of at most " + MAX_SHAPE_RANK + " dimensions");
        }
        long[] shape = new long[v.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = v.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < minDim) {
                throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                        + " must hold integers in [" + minDim + ", " + Integer.MAX_VALUE + "]");
            }
            shape[i] = d.intValue();
        }
        return shape;
    }
}
