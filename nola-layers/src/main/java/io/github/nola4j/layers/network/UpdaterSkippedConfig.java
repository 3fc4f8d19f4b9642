package io.github.nola4j.layers.network;

import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;
import java.util.function.Predicate;

/**
 * The training configuration a layer runtime shows DL4J's updater for parameters that never train and
 * whose gradient slice is never written (a frozen layer's, a low-rank layer's W and b): the layer's own,
 * except that those parameters count as pretraining parameters. DL4J 1.0.0-M2.1's updater puts such
 * parameters in updater blocks of their own and skips those blocks in supervised training
 * ({@code UpdaterBlock.skipDueToPretrainConfig}), so it no longer walks them each step (twice per
 * parameter, building views of the whole gradient and parameter arrays on its external-gradient path) to
 * apply a NoOp updater and no regularisation. Their gradient slice stays zero, so skipping changes no value.
 */
public final class UpdaterSkippedConfig implements TrainingConfig {

    private final TrainingConfig wrapped;
    private final Predicate<String> skipped;

    /**
     * @param wrapped the layer's configuration
     * @param skipped the parameters DL4J's updater skips: each must have a NoOp updater, no regularisation and
     *                a gradient slice that nothing writes
     */
    public UpdaterSkippedConfig(TrainingConfig wrapped, Predicate<String> skipped) {
        this.wrapped = wrapped;
        this.skipped = skipped;
    }

    @Override
    public String getLayerName() {
        return wrapped.getLayerName();
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return wrapped.getRegularizationByParam(paramName);
    }

    /** @return true for a skipped parameter: DL4J's updater skips its block in supervised training */
    @Override
    public boolean isPretrainParam(String paramName) {
        return skipped.test(paramName) || wrapped.isPretrainParam(paramName);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return wrapped.getUpdaterByParam(paramName);
    }

    @Override
    public GradientNormalization getGradientNormalization() {
        return wrapped.getGradientNormalization();
    }

    @Override
    public double getGradientNormalizationThreshold() {
        return wrapped.getGradientNormalizationThreshold();
    }

    @Override
    public void setDataType(DataType dataType) {
        wrapped.setDataType(dataType);
    }
}
