package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Everything a {@link NolaTransfer} was told, frozen at {@link NolaTransfer#build()} time, for
 * {@link TransferAssembler} to carry out. Collections are copies; the selector is a snapshot.
 *
 * @param targets                   which layers get adapters
 * @param spec                      adapter options of every adapted layer, before overrides
 * @param overrides                 per-layer changes of {@code spec}; the first whose pattern matches wins
 * @param headName                  layer to replace as the head, or null for the default head
 * @param headNOut                  outputs of the new head, or 0 to keep the head
 * @param outputLoss                loss of a LossLayer to append, or null
 * @param trainableNames            layers kept fully trainable, by exact name
 * @param trainablePatterns         layers kept fully trainable, by whole-name pattern
 * @param freezeBatchNormStatistics whether trainable BatchNorm layers keep their running statistics fixed
 * @param fineTune                  training settings of the trainable parts, or null
 * @param headUpdater               updater of the new head in place of {@code fineTune}'s, or null
 * @param calibrationFeatures       a batch of inputs to set every BatchNorm layer's running statistics
 *                                  from before adapting ({@link BatchNormCalibration}), or null
 * @param activationDataFormat      NCHW, or NHWC to rebuild the network's convolutional part in NHWC first
 *                                  ({@link NhwcRebuild})
 */
record TransferOptions(TargetSelector targets, AdapterSpec spec, List<SpecOverride> overrides, String headName,
                       long headNOut, LossFunctions.LossFunction outputLoss, Set<String> trainableNames,
                       List<Pattern> trainablePatterns, boolean freezeBatchNormStatistics,
                       FineTuneConfiguration fineTune, IUpdater headUpdater, INDArray calibrationFeatures,
                       CNN2DFormat activationDataFormat) {

    /** A per-layer change of the adapter options, for layer names matching a pattern. */
    record SpecOverride(Pattern pattern, UnaryOperator<AdapterSpec> change) {
    }

    TransferOptions {
        overrides = List.copyOf(overrides);
        trainableNames = Collections.unmodifiableSet(new LinkedHashSet<>(trainableNames));
        trainablePatterns = List.copyOf(trainablePatterns);
    }

    /** @return the adapter options of layer {@code name}: the first matching override applied to {@link #spec} */
    AdapterSpec specFor(String name) {
        for (SpecOverride o : overrides) {
            if (o.pattern().matcher(name).matches()) {
                return o.change().apply(spec);
            }
        }
        return spec;
    }

    /**
     * @return {@code nOut}, checked as the number of outputs of a new head
     * @throws IllegalArgumentException unless it is &gt; 0
     */
    static long checkedHeadNOut(long nOut) {
        if (nOut <= 0) {
            throw new IllegalArgumentException("Head nOut = " + nOut + " must be > 0; pass the number of classes, "
                    + "e.g. replaceHead(10)");
        }
        return nOut;
    }

    /** @return whether a head is replaced */
    boolean replacesHead() {
        return headNOut > 0;
    }
}
