package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;

/**
 * The training configuration a {@link FrozenForwardRuntime} shows DL4J's updater: the wrapped
 * layer's, except that every parameter counts as a pretraining parameter. DL4J 1.0.0-M2.1's
 * updater puts such parameters in updater blocks of their own and skips those blocks in
 * supervised training ({@code UpdaterBlock.skipDueToPretrainConfig}), so it no longer walks the
 * frozen parameters each step (twice per parameter, building views of the whole gradient and
 * parameter arrays on its external-gradient path) to apply a NoOp updater and no regularisation
 * ({@link LayerFreezing#freeze} removes both). Their gradient slice is never written, so skipping
 * changes no value.
 */
final class FrozenTrainingConfig implements TrainingConfig {

    private final TrainingConfig wrapped;

    FrozenTrainingConfig(TrainingConfig wrapped) {
        this.wrapped = wrapped;
    }

    @Override
    public String getLayerName() {
        return wrapped.getLayerName();
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return wrapped.getRegularizationByParam(paramName);
    }

    /** @return true: DL4J's updater skips this parameter's block in supervised training */
    @Override
    public boolean isPretrainParam(String paramName) {
        return true;
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
