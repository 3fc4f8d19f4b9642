package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.TransferMetadata;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link NolaTransfer} decided beyond the adapter layers themselves, stored under
 * {@code "transfer"} in an adapter file's configuration so that {@link NolaTransfer#restore}
 * rebuilds the same network from the base and the file alone (JSON form: {@link TransferSettingsJson}).
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

    /** @return these settings as a JSON object ({@link TransferSettingsJson}) */
    String toJson() {
        return TransferSettingsJson.write(this);
    }

    /** @return these settings as the network carries them for every adapter file saved from it */
    TransferMetadata metadata() {
        return new TransferMetadata(toJson(), savedLayers());
    }

    /**
     * @param json           the "transfer" object of an adapter file ("" when the file has none)
     * @param libraryVersion the nola4j release that wrote the file ("" when not recorded)
     * @throws AdapterFormatException when there is none, or it is not one this release reads
     */
    static TransferSettings fromJson(String json, String libraryVersion, String file) {
        return TransferSettingsJson.read(json, libraryVersion, file);
    }
}
