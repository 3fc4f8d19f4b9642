package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdapterFormatException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link NolaTransfer} decided beyond the adapter layers themselves, stored under
 * {@code "transfer"} in an adapter file's configuration so that {@link NolaTransfer#restore}
 * rebuilds the same network from the base and the file alone:
 * <pre>
 * "transfer": {"tool": "nola4j-zoo NolaTransfer", "version": 1,
 *              "head": "output", "head_n_out": 5, "output_loss": null,
 *              "trainable": ["bn1"], "freeze_batchnorm_statistics": true,
 *              "quantization_bits": {"conv1": 4, "fc": 4}, "calibrated_batchnorm": []}
 * </pre>
 * The adapted layers' names, ranks, bases, scales and seeds are the file's "layers" entries.
 *
 * @param head                      name of the replaced head, or null when the head was kept
 * @param headNOut                  outputs of the new head (0 when kept)
 * @param outputLoss                name of the appended LossLayer's {@code LossFunction}, or null
 * @param trainable                 layers kept fully trainable, in network order
 * @param freezeBatchNormStatistics whether trainable BatchNorm layers kept their running statistics fixed
 * @param quantizationBits          per adapted layer, its quantisation-aware training bits (0: none)
 * @param calibratedBatchNorm       BatchNorm layers whose running statistics were calibrated (and are saved)
 */
public record TransferSettings(String head, long headNOut, String outputLoss, List<String> trainable,
                        boolean freezeBatchNormStatistics, Map<String, Integer> quantizationBits,
                        List<String> calibratedBatchNorm) {

    static final String TOOL = "nola4j-zoo NolaTransfer";
    static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public TransferSettings {
        trainable = List.copyOf(trainable);
        quantizationBits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quantizationBits));
        calibratedBatchNorm = List.copyOf(calibratedBatchNorm);
    }

    /** @return the layers whose parameters an adapter file must hold besides the adapter coefficients */
    List<String> savedLayers() {
        List<String> saved = new ArrayList<>();
        if (head != null) {
            saved.add(head);
        }
        saved.addAll(trainable);
        calibratedBatchNorm.stream().filter(n -> !saved.contains(n)).forEach(saved::add);
        return saved;
    }

    /** @return these settings as a JSON object */
    String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("tool", TOOL);
        root.put("version", VERSION);
        root.put("head", head);
        root.put("head_n_out", headNOut);
        root.put("output_loss", outputLoss);
        ArrayNode trainableNode = root.putArray("trainable");
        trainable.forEach(trainableNode::add);
        root.put("freeze_batchnorm_statistics", freezeBatchNormStatistics);
        ObjectNode bits = root.putObject("quantization_bits");
        quantizationBits.forEach(bits::put);
        ArrayNode calibratedNode = root.putArray("calibrated_batchnorm");
        calibratedBatchNorm.forEach(calibratedNode::add);
        return root.toString();
    }

    /**
     * @param json the "transfer" object of an adapter file ("" when the file has none)
     * @throws AdapterFormatException when there is none, or it is not one this class wrote
     */
    static TransferSettings fromJson(String json, String file) {
        if (json == null || json.isEmpty()) {
            throw new AdapterFormatException(file + " holds no NolaTransfer settings (it was not saved by"
                    + " TransferResult.saveAdapter), so the network cannot be rebuilt from it alone; rebuild the"
                    + " network with the same NolaTransfer and load the file with AdapterFiles.load");
        }
        try {
            JsonNode root = MAPPER.readTree(json);
            String tool = root.path("tool").asText();
            int version = root.path("version").asInt(-1);
            if (!TOOL.equals(tool) || version != VERSION) {
                throw new AdapterFormatException(file + ": transfer settings of \"" + tool + "\" version " + version
                        + " are not readable here; this build reads " + TOOL + " version " + VERSION);
            }
            List<String> trainable = new ArrayList<>();
            root.path("trainable").forEach(n -> trainable.add(n.asText()));
            Map<String, Integer> bits = new LinkedHashMap<>();
            root.path("quantization_bits").fields().forEachRemaining(e -> bits.put(e.getKey(), e.getValue().asInt()));
            List<String> calibrated = new ArrayList<>();
            root.path("calibrated_batchnorm").forEach(n -> calibrated.add(n.asText()));
            JsonNode head = root.path("head");
            JsonNode loss = root.path("output_loss");
            return new TransferSettings(head.isTextual() ? head.asText() : null, root.path("head_n_out").asLong(0),
                    loss.isTextual() ? loss.asText() : null, trainable,
                    root.path("freeze_batchnorm_statistics").asBoolean(true), bits, calibrated);
        } catch (java.io.IOException e) {
            throw new AdapterFormatException(file + ": the transfer settings are not valid JSON (" + e.getMessage()
                    + "); save the adapter again", e);
        }
    }
}
