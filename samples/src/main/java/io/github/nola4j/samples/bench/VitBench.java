package io.github.nola4j.samples.bench;

import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.vit.MinibatchSequence;
import io.github.nola4j.samples.vit.TinyVit;
import io.github.nola4j.samples.vit.VitFinetuning;
import io.github.nola4j.samples.vit.VitShape;
import io.github.nola4j.layers.DifferentiationLogFilter;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code vit} bench scenario: one training step (batch {@link #BATCH}) of the ViT sample's
 * {@link TinyVit} ({@link VitShape#DEFAULT}, randomly initialised), full fine-tuning against NOLA r = 4,
 * k = l = {@link #BASES} on every block's q, v, fc1 and fc2 ({@link VitFinetuning#ADAPTED}), head trainable,
 * interleaved, {@link #STEPS_PER_FIT} steps per {@code fit} call as the sample trains. {@code
 * samples/pytorch/nola_vit_bench.py} runs the same model in PyTorch.
 */
final class VitBench {

    static final int BATCH = 50;
    /** k = l of the NOLA case: LoRA rank 1's count of values on the default ViT. */
    static final int BASES = 112;
    /** Steps per {@code fit} call: the times are per step, over {@code --steps} / this many calls. */
    static final int STEPS_PER_FIT = 10;

    private VitBench() {
    }

    static void run(PrintStream out, int warmup, int steps) {
        VitShape shape = VitShape.DEFAULT;
        int classes = 5;
        SameDiff full = TinyVit.build(shape, classes, 1);
        SameDiff nola = VitFinetuning.adapt(full, Method.NOLA.spec(Method.DEFAULT_RANK, BASES, 1)).sameDiff();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 1, shape.imageSize(), shape.imageSize());
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, classes);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % classes, 1);
        }
        MultiDataSet batch = new MultiDataSet(new INDArray[] {x}, new INDArray[] {y});
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("full", steps(full, batch));
        cases.put("nola", steps(nola, batch));
        Map<String, Timing> timings = new LinkedHashMap<>();
        Timing.interleaved(cases, warmup, Math.max(1, steps / STEPS_PER_FIT))
                .forEach((kind, t) -> timings.put(kind, t.perStep(STEPS_PER_FIT)));
        timings.forEach((kind, t) -> out.println("bench vit-" + kind + " " + t.format()));
        out.printf("bench vit-ratio nola/full=%.3f%n", timings.get("nola").median() / timings.get("full").median());
    }

    /** @return {@link #STEPS_PER_FIT} steps in one {@code fit} call, as the ViT sample trains them */
    private static Runnable steps(SameDiff sd, MultiDataSet batch) {
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-3))
                .dataSetFeatureMapping(TinyVit.INPUT).dataSetLabelMapping(TinyVit.LABEL).build());
        DifferentiationLogFilter.run(sd::createGradFunction); // SameDiff prints a line per op while differentiating
        return () -> sd.fit(new MinibatchSequence(STEPS_PER_FIT, step -> batch), 1);
    }
}
