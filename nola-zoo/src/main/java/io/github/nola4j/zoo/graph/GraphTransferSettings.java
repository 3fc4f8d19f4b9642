package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.AdapterMismatchException;
import io.github.nola4j.zoo.AdapterKind;
import io.github.nola4j.zoo.AdapterSpec;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link NolaGraphTransfer} chose for a graph, stored as the "transfer" object of an adapter file's
 * configuration so that {@link NolaGraphTransfer#restore} rebuilds the adapted graph from the base graph and
 * the file alone: the selection (the adapted weights, by variable name, in graph order) and each weight's
 * options.
 * <pre>
 * {"tool": "nola4j-zoo NolaGraphTransfer", "version": 1,
 *  "weights": [{"name": "w0", "shape": [4, 6], "layout": "DENSE", "kind": "NOLA", "r": 4, "k": 8, "l": 8,
 *               "basis_seed": 42, "scale": 0.25, "quantization_bits": 0}, ...]}
 * </pre>
 * "shape" is W's shape in the graph and "layout" how its op reads it ({@link WeightLayout}); the file's
 * "layers" entries record W in the layers' layout ({@link WeightLayout#layersShape}).
 *
 * @param weights one entry per adapted weight, in graph order
 */
record GraphTransferSettings(List<Weight> weights) {

    static final String TOOL = "nola4j-zoo NolaGraphTransfer";
    /** The version this release writes and the highest it reads. */
    static final int VERSION = 1;
    /** The tool of the layers' settings (nola-zoo's NolaTransfer), named in the refusal of their files. */
    private static final String LAYERS_TOOL = "nola4j-zoo NolaTransfer";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One adapted weight: its name, its shape and layout in the graph, and its adapter options. */
    record Weight(String name, long[] shape, WeightLayout layout, AdapterSpec spec) {

        /** @return whether {@code other} describes the same weight with the same options */
        boolean sameAs(Weight other) {
            return name.equals(other.name) && Arrays.equals(shape, other.shape) && layout == other.layout
                    && spec.equals(other.spec);
        }

        /** @return e.g. {@code w0 [4, 6] DENSE AdapterSpec[...]}, for messages */
        String describe() {
            return name + " " + Arrays.toString(shape) + " " + layout + " " + spec;
        }
    }

    GraphTransferSettings {
        weights = List.copyOf(weights);
    }

    /** @return the settings of an adapted graph */
    static GraphTransferSettings of(GraphTransferResult result) {
        return new GraphTransferSettings(result.adaptedWeights().stream()
                .map(w -> new Weight(w.name(), w.shape(), w.layout(), w.spec())).toList());
    }

    /** @return these settings as a JSON object */
    String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("tool", TOOL);
        root.put("version", VERSION);
        ArrayNode list = root.putArray("weights");
        for (Weight w : weights) {
            ObjectNode n = list.addObject();
            n.put("name", w.name());
            ArrayNode shape = n.putArray("shape");
            Arrays.stream(w.shape()).forEach(shape::add);
            n.put("layout", w.layout().name());
            n.put("kind", w.spec().kind().name());
            n.put("r", w.spec().rank());
            n.put("k", w.spec().numBasesA());
            n.put("l", w.spec().numBasesB());
            n.put("basis_seed", w.spec().basisSeed());
            n.put("scale", w.spec().scale());
            n.put("quantization_bits", w.spec().quantizationBits());
        }
        return root.toString();
    }

    /** @return whether {@code json} (an adapter's transfer settings) was written by this tool */
    static boolean isGraphSettings(String json) {
        return !json.isEmpty() && TOOL.equals(parse(json, "the file").path("tool").asText());
    }

    /**
     * Refuses transfer settings of another tool, e.g. a file saved from a DL4J network by NolaTransfer.
     *
     * @throws AdapterMismatchException naming the tool and the fix
     */
    static void requireGraphOrNone(String json, String file) {
        if (json.isEmpty() || isGraphSettings(json)) {
            return;
        }
        String tool = parse(json, file).path("tool").asText();
        String fix = LAYERS_TOOL.equals(tool) ? "it was saved from a DL4J network adapted by NolaTransfer: restore it"
                + " with NolaTransfer.of(baseNetwork).restore(file), or load it with AdapterFiles.load onto that network"
                : "rebuild the model with the tool that wrote it";
        throw new AdapterMismatchException(file + " holds transfer settings of \"" + tool + "\", not of " + TOOL
                + ", so it is not the adapter of a SameDiff graph; " + fix);
    }

    /**
     * @param json the "transfer" object of an adapter file ("" when there is none)
     * @param file the file, for messages
     * @throws AdapterFormatException   when there are no settings, their version is unknown or a field is malformed
     * @throws AdapterMismatchException when they are another tool's (e.g. a layer network's)
     */
    static GraphTransferSettings fromJson(String json, String file) {
        if (json.isEmpty()) {
            throw new AdapterFormatException(file + " holds no NolaGraphTransfer settings, so the graph cannot be"
                    + " rebuilt from it alone; save it with GraphAdapterFiles.save from the GraphTransferResult, or"
                    + " adapt the base with the same NolaGraphTransfer and load the file with GraphAdapterFiles.load");
        }
        requireGraphOrNone(json, file);
        JsonNode root = parse(json, file);
        int version = root.path("version").asInt(-1);
        if (version < 1 || version > VERSION) {
            throw new AdapterFormatException(file + ": " + TOOL + " settings version " + root.get("version")
                    + " are not readable here; this build reads version " + VERSION + ". Restore it with the"
                    + " release that wrote it or a later one");
        }
        JsonNode list = root.get("weights");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new AdapterFormatException(file + ": " + TOOL + " settings need \"weights\", a non-empty array;"
                    + " the file is corrupt, save the adapter again");
        }
        List<Weight> weights = new ArrayList<>();
        for (JsonNode n : list) {
            weights.add(weight(n, file));
        }
        return new GraphTransferSettings(weights);
    }

    private static Weight weight(JsonNode n, String file) {
        try {
            JsonNode shapeNode = n.get("shape");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
            }
            AdapterSpec spec = new AdapterSpec(AdapterKind.valueOf(n.get("kind").asText()), n.get("r").asInt(),
                    n.get("k").asInt(), n.get("l").asInt(), n.get("basis_seed").asLong(), n.get("scale").asDouble(),
                    n.get("quantization_bits").asInt());
            return new Weight(n.get("name").asText(), shape, WeightLayout.valueOf(n.get("layout").asText()), spec);
        } catch (RuntimeException e) {
            throw new AdapterFormatException(file + ": the " + TOOL + " settings entry " + n + " is malformed ("
                    + e.getMessage() + "): it needs name, shape, layout, kind, r, k, l, basis_seed, scale and"
                    + " quantization_bits; the file is corrupt, save the adapter again", e);
        }
    }

    private static JsonNode parse(String json, String file) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AdapterFormatException(file + ": the transfer settings are not valid JSON (" + e.getMessage()
                    + "); save the adapter again", e);
        }
    }
}
