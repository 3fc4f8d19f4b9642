package io.github.nola4j.samples.vit;

import io.github.nola4j.layers.DifferentiationLogFilter;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.report.Variant;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One {@code fit} over a {@link MinibatchSequence} trains exactly what one {@code fit} per minibatch trains. */
class MinibatchSequenceTest {

    private static final VitShape SHAPE = new VitShape(28, 7, 8, 1, 2, 16);
    private static final int[] CLASSES = {0, 1, 2};

    @Test
    void oneFitOverTheSequenceEqualsOneFitPerMinibatchBitForBit() {
        LabelledImages train = FashionMnist.loadSubset().train().onlyClasses(CLASSES).sampleShots(10, 1);
        VitRun run = new VitRun(new Variant("full", Method.FULL, 0, 0, 1e-2), CLASSES,
                10, 4, 8, 1, 7);
        SameDiff sequence = TinyVit.build(SHAPE, CLASSES.length, 3);
        SameDiff perMinibatch = sequence.dup();
        VitFinetuning.train(sequence, train, CLASSES.length, run, ProgressBar.SILENT);

        perMinibatch.setTrainingConfig(TrainingConfig.builder()
                .updater(new Adam(WarmupCosine.schedule(run.variant().learningRate(), run.warmupSteps(), run.steps())))
                .dataSetFeatureMapping(TinyVit.INPUT).dataSetLabelMapping(TinyVit.LABEL).build());
        DifferentiationLogFilter.run(perMinibatch::createGradFunction);
        for (int[] batch : Trainer.batchIndices(train.size(), run.batchSize(), run.steps(), run.seed())) {
            perMinibatch.fit(new MultiDataSet(new INDArray[] {train.features(batch)},
                    new INDArray[] {train.oneHotLabels(batch, CLASSES.length)}));
        }
        List<SDVariable> variables = sequence.variables().stream()
                .filter(v -> v.getVariableType() == VariableType.VARIABLE).toList();
        assertFalse(variables.isEmpty());
        SameDiff untrained = TinyVit.build(SHAPE, CLASSES.length, 3);
        for (SDVariable v : variables) {
            float[] a = v.getArr().dup().data().asFloat();
            assertArrayEquals(perMinibatch.getArrForVarName(v.name()).dup().data().asFloat(), a, 0f, v.name());
            assertFalse(Arrays.equals(untrained.getArrForVarName(v.name()).dup().data().asFloat(), a),
                    v.name() + " did not train");
        }
        assertEquals(run.steps(), sequence.getTrainingConfig().getIterationCount());
    }

    @Test
    void aSequenceGivesItsStepsInOrderAndStartsOverOnReset() {
        MinibatchSequence s = new MinibatchSequence(2, step -> new MultiDataSet(new INDArray[0], new INDArray[0]));
        s.next();
        s.next();
        assertFalse(s.hasNext());
        assertThrows(NoSuchElementException.class, s::next);
        s.reset();
        s.next();
        assertThrows(IllegalArgumentException.class, () -> new MinibatchSequence(0, step -> null));
    }
}
