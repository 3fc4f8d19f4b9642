package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LibraryVersion;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of {@link TransferSettings}, the "transfer" object of an adapter file's configuration:
 * <pre>
 * {"tool": "nola4j-zoo NolaTransfer", "version": 1,
 *  "head": "output", "head_n_out": 5, "output_loss": null,
 *  "trainable": ["bn1"], "freeze_batchnorm_statistics": true,
 *  "quantization_bits": {"conv1": 4, "fc": 4}, "calibrated_batchnorm": []}
 * </pre>
 * Version 1 is the only version; every field above is required in it ("head" and "output_loss"
 * may be null). A field added later within version 1 must be read with an explicit default listed
 * here, so that files written before it still read; there is none yet. A version above
 * {@value #VERSION} was written by a later release and is refused, naming the version, the release
 * that wrote the file and the fix.
 */
final class TransferSettingsJson {

    static final String TOOL = "nola4j-zoo NolaTransfer";
    /** The settings version this release writes and the highest it reads. */
    static final int VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(TransferSettingsJson.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TransferSettingsJson() {
    }

    /** @return {@code s} as a JSON object */
    static String write(TransferSettings s) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("tool", TOOL);
        root.put("version", VERSION);
        root.put("head", s.head());
        root.put("head_n_out", s.headNOut());
        root.put("output_loss", s.outputLoss());
        ArrayNode trainableNode = root.putArray("trainable");
        s.trainable().forEach(trainableNode::add);
        root.put("freeze_batchnorm_statistics", s.freezeBatchNormStatistics());
        ObjectNode bits = root.putObject("quantization_bits");
        s.quantizationBits().forEach(bits::put);
        ArrayNode calibratedNode = root.putArray("calibrated_batchnorm");
        s.calibratedBatchNorm().forEach(calibratedNode::add);
        return root.toString();
    }

    /**
     * @param json           the "transfer" object of an adapter file ("" when the file has none)
     * @param libraryVersion the release that wrote the file ("" when not recorded)
     * @param file           the file, for messages
     * @throws AdapterFormatException when there is none, it is not this tool's, its version is unknown
     *                                or a required field is missing or of the wrong type
     */
    static TransferSettings read(String json, String libraryVersion, String file) {
        if (json == null || json.isEmpty()) {
            throw new AdapterFormatException(file + " holds no NolaTransfer settings: it was saved from a network"
                    + " that NolaTransfer did not build in this JVM (e.g. one read back with ModelSerializer), so the"
                    + " network cannot be rebuilt from it alone. Save it with TransferResult.saveAdapter (or"
                    + " AdapterFiles.save on the network NolaTransfer built), or rebuild the network with the same"
                    + " NolaTransfer and load the file with AdapterFiles.load");
        }
        String writer = libraryVersion == null || libraryVersion.isEmpty() ? "a release that did not record its"
                + " version" : "nola4j " + libraryVersion;
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AdapterFormatException(file + ": the transfer settings are not valid JSON (" + e.getMessage()
                    + "); save the adapter again", e);
        }
        String tool = root.path("tool").asText();
        if (!TOOL.equals(tool)) {
            String fix = "nola4j-zoo NolaGraphTransfer".equals(tool) ? "it is the adapter of a SameDiff graph: restore"
                    + " it with NolaGraphTransfer.of(baseGraph).restore(file)" : "rebuild the network with the tool"
                    + " that wrote them";
            throw new AdapterFormatException(file + ": transfer settings of \"" + tool + "\" are not readable here;"
                    + " this build reads those of " + TOOL + ". " + fix);
        }
        JsonNode v = root.get("version");
        if (v == null || !v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > VERSION) {
            throw new AdapterFormatException(file + ": transfer settings of \"" + tool + "\" version " + v + " (written"
                    + " by " + writer + ") are not readable here; this build (nola4j " + LibraryVersion.current()
                    + ") reads " + TOOL + " version " + VERSION + ". Restore it with the release that wrote it or a"
                    + " later one");
        }
        log.debug("{}: reading {} settings version {}, written by {}", file, TOOL, v.asInt(), writer);
        List<String> trainable = new ArrayList<>();
        array(root, "trainable", file).forEach(n -> trainable.add(n.asText()));
        Map<String, Integer> bits = new LinkedHashMap<>();
        required(root, "quantization_bits", JsonNode::isObject, "an object of layer name to bits", file).fields()
                .forEachRemaining(e -> bits.put(e.getKey(), e.getValue().asInt()));
        List<String> calibrated = new ArrayList<>();
        array(root, "calibrated_batchnorm", file).forEach(n -> calibrated.add(n.asText()));
        JsonNode head = required(root, "head", n -> n.isTextual() || n.isNull(), "a layer name or null", file);
        JsonNode loss = required(root, "output_loss", n -> n.isTextual() || n.isNull(), "a LossFunction or null",
                file);
        long headNOut = required(root, "head_n_out", JsonNode::isIntegralNumber, "an integer", file).asLong();
        boolean freeze = required(root, "freeze_batchnorm_statistics", JsonNode::isBoolean, "true or false", file)
                .asBoolean();
        return new TransferSettings(head.isTextual() ? head.asText() : null, headNOut,
                loss.isTextual() ? loss.asText() : null, trainable, freeze, bits, calibrated);
    }

    private static JsonNode array(JsonNode root, String name, String file) {
        return required(root, name, JsonNode::isArray, "an array of layer names", file);
    }

    private static JsonNode required(JsonNode root, String name, java.util.function.Predicate<JsonNode> valid,
                                     String what, String file) {
        JsonNode v = root.get(name);
        if (v == null || !valid.test(v)) {
            throw new AdapterFormatException(file + ": transfer settings field \"" + name + "\" = " + v + " must be "
                    + what + " (required in " + TOOL + " version " + VERSION + "); the file is corrupt or was"
                    + " edited, save the adapter again");
        }
        return v;
    }
}
