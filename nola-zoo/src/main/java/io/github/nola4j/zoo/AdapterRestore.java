package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterApplier;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.attention.AttentionProjection;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rebuilds an adapted network from a base and an adapter file alone ({@link NolaTransfer#restore}):
 * the file's layer entries give the targets and each layer's adapter options (NOLA, or LoRA with
 * its rank, scale and init seed), its
 * {@link TransferSettings} the head, trainable layers, loss and quantisation bits; the same
 * {@link TransferAssembler} as {@link NolaTransfer#build()} builds the network, and the file's
 * coefficients and saved layers are then loaded into it, with every check of
 * {@link AdapterApplier} (base fingerprint included).
 */
final class AdapterRestore {

    private static final Logger log = LoggerFactory.getLogger(AdapterRestore.class);

    private AdapterRestore() {
    }

    /**
     * @param asked the options of the builder {@code restore} was called on: only its fine-tune
     *              configuration and activation data format are used, and it must set nothing the file decides
     * @throws IllegalArgumentException if targets, a head, trainable layers, a loss or BatchNorm
     *                                  calibration were set on the builder
     */
    static <M extends Model> TransferResult<M> restore(M base, Path file, TransferOptions asked) throws IOException {
        if (!asked.targets().isEmpty() || asked.headNOut() > 0 || !asked.trainableNames().isEmpty()
                || !asked.trainablePatterns().isEmpty() || asked.outputLoss() != null
                || asked.calibrationFeatures() != null) {
            throw new IllegalArgumentException("restore(" + file + ") takes the targets, head, trainable layers,"
                    + " loss and BatchNorm statistics from the file; remove the other calls, keep only"
                    + " fineTuneConfiguration(..)");
        }
        FineTuneConfiguration fineTune = asked.fineTune();
        NetworkEditor.forModel(base); // fails early for a model that cannot be adapted
        Adapter adapter = AdapterFiles.read(file);
        TransferSettings settings = TransferSettings.fromJson(adapter.transferJson(), adapter.libraryVersion(),
                file.toString());
        TargetSelector targets = new TargetSelector();
        List<TransferOptions.SpecOverride> overrides = new ArrayList<>();
        Map<String, AdapterSpec> specs = new LinkedHashMap<>();
        for (LayerAdapter la : adapter.layers()) {
            String layer = layerOf(la);
            AdapterSpec spec = la.kind() == LayerAdapterKind.LORA ? AdapterSpec.lora(la.rank(), la.scale(),
                    la.basisSeed()) : new AdapterSpec(AdapterKind.NOLA, la.rank(), la.numBasesA(), la.numBasesB(),
                    la.basisSeed(), la.scale(), settings.quantizationBits().getOrDefault(layer, 0));
            if (LayerAdapter.ATTENTION_TYPES.contains(la.type())) {
                Set<AttentionProjection> chosen = EnumSet.noneOf(AttentionProjection.class);
                AdapterSpec earlier = specs.get(layer);
                if (earlier != null) {
                    chosen.addAll(earlier.attentionProjections());
                }
                chosen.add(projectionOf(la, layer));
                spec = spec.withAttentionProjections(chosen);
            }
            specs.put(layer, spec);
        }
        specs.forEach((layer, spec) -> {
            targets.names(layer);
            overrides.add(new TransferOptions.SpecOverride(Pattern.compile(Pattern.quote(layer)), s -> spec));
        });
        LossFunctions.LossFunction loss = lossOf(settings.outputLoss(), file);
        TransferOptions options = new TransferOptions(targets, AdapterSpec.DEFAULT, overrides, settings.head(),
                settings.headNOut(), loss, new LinkedHashSet<>(settings.trainable()), List.of(),
                settings.freezeBatchNormStatistics(), fineTune, null, null, asked.activationDataFormat());
        TransferResult<M> built = new TransferAssembler<>(base, options).assemble();
        AdapterApplier.apply(AdaptedNetwork.of(built.network()), adapter, LoadOptions.STRICT);
        log.info("Restored {} adapted layers and {} saved tensors from {} (written by nola4j {})",
                adapter.layers().size(), adapter.extraTensors().size(), file,
                adapter.libraryVersion().isEmpty() ? "of a release that did not record it" : adapter.libraryVersion());
        TransferSettings restored = new TransferSettings(settings.head(), settings.headNOut(), settings.outputLoss(),
                settings.trainable(), settings.freezeBatchNormStatistics(), settings.quantizationBits(),
                settings.calibratedBatchNorm());
        return new TransferResult<>(built.network(), built.adaptedLayers(), built.skipped(), built.headLayer(),
                built.summary(), restored);
    }

    /**
     * @return the layer an entry adapts: its name, or for a projection of an attention layer ("att/Wq") the part
     * before the last '/'
     * @throws AdapterFormatException when an attention entry's name does not end in a projection's weight key
     */
    private static String layerOf(LayerAdapter la) {
        if (!LayerAdapter.ATTENTION_TYPES.contains(la.type())) {
            return la.name();
        }
        int slash = la.name().lastIndexOf('/');
        if (slash <= 0) {
            throw new AdapterFormatException("attention entry \"" + la.name() + "\" does not name its projection as"
                    + " \"layer/Wq\" (Wq, Wk, Wv or Wo); the file is corrupt, save it again");
        }
        return la.name().substring(0, slash);
    }

    private static AttentionProjection projectionOf(LayerAdapter la, String layer) {
        try {
            return AttentionProjection.parse(la.name().substring(layer.length() + 1));
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException("attention entry \"" + la.name() + "\" does not end in a projection's"
                    + " weight key (Wq, Wk, Wv or Wo); the file is corrupt, save it again", e);
        }
    }

    private static LossFunctions.LossFunction lossOf(String name, Path file) {
        if (name == null) {
            return null;
        }
        try {
            return LossFunctions.LossFunction.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(file + ": output loss \"" + name + "\" is not a DL4J LossFunction; the"
                    + " file is corrupt or from a newer release", e);
        }
    }
}
