package io.github.nola4j.samples.vit;

import io.github.nola4j.layers.DifferentiationLogFilter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.samples.train.Trainer;
import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.zoo.graph.GraphAdapterFiles;
import io.github.nola4j.zoo.graph.GraphTransferResult;
import io.github.nola4j.zoo.graph.NolaGraphTransfer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Transfers a pretrained {@link TinyVit} to the target classes with a new head and trains it:
 * head only (every other variable a constant), NOLA or LoRA on {@link #ADAPTED} through
 * {@link NolaGraphTransfer} (the new head made trainable again), or full fine-tuning. One Adam
 * with the {@link WarmupCosine} schedule trains what trains, head included, as the NOLA ViT code does.
 */
public final class VitFinetuning {

    /** The adapted weights: q and v of the attention and both MLP weights of every block. */
    public static final String ADAPTED = "block[0-9]+/(q|v|fc1|fc2)/W";
    /** Bits of the quantised adapter file. */
    public static final int PTQ_BITS = 4;
    private static final int EVAL_BATCH = 500;

    private VitFinetuning() {
    }

    /**
     * @param base  the pretrained graph (any head); not modified
     * @param shape the base's shape
     */
    public static VitResult run(SameDiff base, VitShape shape, TrainTestData data, VitRun run, ProgressBar progress) {
        int classes = run.classes().length;
        LabelledImages train = data.train().onlyClasses(run.classes()).sampleShots(run.shots(), run.seed());
        LabelledImages test = data.test().onlyClasses(run.classes());
        SameDiff target = targetGraph(base, shape, classes, run.seed());
        Method method = run.variant().method();
        GraphTransferResult adapted = method.isLowRank() ? adapt(target, spec(run)) : null;
        SameDiff sd = adapted != null ? adapted.sameDiff() : target.dup();
        if (method == Method.HEAD) {
            freezeAllButHead(sd);
        }
        long trainable = adapted != null ? adapted.trainableParams() : trainableBelowHead(sd);
        long start = System.nanoTime();
        train(sd, train, classes, run, progress.next("vit " + run.variant().id(), run.steps()));
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        double accuracy = accuracy(sd, test);
        if (adapted == null) {
            return new VitResult(accuracy, trainable, 0, 0, 0, Double.NaN, Double.NaN, trainSeconds);
        }
        return withAdapterFiles(target, adapted, test, run, accuracy, trainSeconds);
    }

    /** @return a graph of {@code shape} with the base's values everywhere but a new head of {@code classes} outputs */
    public static SameDiff targetGraph(SameDiff base, VitShape shape, int classes, long seed) {
        SameDiff target = TinyVit.build(shape, classes, seed);
        for (SDVariable v : base.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !v.name().startsWith(TinyVit.HEAD_PREFIX)) {
                target.getArrForVarName(v.name()).assign(base.getArrForVarName(v.name()));
            }
        }
        return target;
    }

    /** @return NOLA or LoRA of {@code spec} on {@link #ADAPTED} of {@code target}, its head trainable */
    public static GraphTransferResult adapt(SameDiff target, AdapterSpec spec) {
        GraphTransferResult r = NolaGraphTransfer.of(target).targetMatching(ADAPTED).adapter(spec).build();
        r.sameDiff().convertToVariables(headVariables(r.sameDiff()));
        return r;
    }

    /** @return the adapter options of {@code run}: the CNN sample's, r, k = l and QAT bits of its variant, its seed */
    static AdapterSpec spec(VitRun run) {
        return run.variant().spec(run.seed());
    }

    /**
     * Trains the VARIABLEs of {@code sd} for {@code run.steps()} minibatches, seeded as the CNN sample's, in one
     * {@code fit} call ({@link MinibatchSequence}).
     */
    public static void train(SameDiff sd, LabelledImages train, int classes, VitRun run, ProgressBar progress) {
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(new Adam(WarmupCosine.schedule(run.variant().learningRate(), run.warmupSteps(), run.steps())))
                .dataSetFeatureMapping(TinyVit.INPUT).dataSetLabelMapping(TinyVit.LABEL).build());
        DifferentiationLogFilter.run(sd::createGradFunction); // SameDiff prints a line per op while differentiating
        List<int[]> batches = Trainer.batchIndices(train.size(), run.batchSize(), run.steps(), run.seed());
        sd.fit(new MinibatchSequence(batches.size(), step -> {
            progress.update(step, ""); // steps done
            int[] batch = batches.get(step);
            return new MultiDataSet(new INDArray[] {train.features(batch)},
                    new INDArray[] {train.oneHotLabels(batch, classes)});
        }), 1);
        progress.update(batches.size(), "");
    }

    /** @return the fraction of {@code test} whose most probable class is its label */
    public static double accuracy(SameDiff sd, LabelledImages test) {
        long correct = 0;
        for (int from = 0; from < test.size(); from += EVAL_BATCH) {
            int[] idx = IntStream.range(from, Math.min(from + EVAL_BATCH, test.size())).toArray();
            INDArray predicted = probabilities(sd, test.features(idx)).argMax(1);
            for (int i = 0; i < idx.length; i++) {
                correct += predicted.getInt(i) == test.labels()[idx[i]] ? 1 : 0;
            }
        }
        return (double) correct / test.size();
    }

    /** @return class probabilities [n, classes] of images [n, 1, S, S] */
    public static INDArray probabilities(SameDiff sd, INDArray images) {
        return sd.output(Map.of(TinyVit.INPUT, images), TinyVit.PROBABILITIES).get(TinyVit.PROBABILITIES);
    }

    private static VitResult withAdapterFiles(SameDiff target, GraphTransferResult adapted, LabelledImages test,
                                              VitRun run, double accuracy, double trainSeconds) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("nola-vit");
            Path fp32 = dir.resolve("adapter-fp32.nola");
            GraphAdapterFiles.save(adapted, fp32, "vit " + run.variant().id(), WriteOptions.fp32());
            INDArray x = test.features(IntStream.range(0, Math.min(EVAL_BATCH, test.size())).toArray());
            double diff = probabilities(restore(target, adapted, fp32), x).sub(probabilities(adapted.sameDiff(), x))
                    .amaxNumber().doubleValue();
            long bytes4 = 0;
            double accuracy4 = Double.NaN;
            if (run.variant().method() == Method.NOLA) {
                Path q = dir.resolve("adapter-" + PTQ_BITS + "bit.nola");
                GraphAdapterFiles.save(adapted, q, "vit " + run.variant().id(), WriteOptions.quantized(PTQ_BITS));
                bytes4 = Files.size(q);
                accuracy4 = accuracy(restore(target, adapted, q), test);
            }
            return new VitResult(accuracy, adapted.trainableParams(), adapted.loraRank1Params(), Files.size(fp32),
                    bytes4, accuracy4, diff, trainSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException("adapter files of the ViT run " + run.variant().id() + " in " + dir, e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** @return the graph rebuilt from the base and the adapter file, with the trained head of {@code trained} */
    static SameDiff restore(SameDiff target, GraphTransferResult trained, Path file) throws IOException {
        SameDiff restored = NolaGraphTransfer.of(target).restore(file).sameDiff();
        for (SDVariable h : headVariables(restored)) {
            restored.getArrForVarName(h.name()).assign(trained.sameDiff().getArrForVarName(h.name()));
        }
        return restored;
    }

    private static List<SDVariable> headVariables(SameDiff sd) {
        return sd.variables().stream().filter(v -> v.name().startsWith(TinyVit.HEAD_PREFIX)
                && v.getVariableType() != VariableType.PLACEHOLDER && v.getVariableType() != VariableType.ARRAY).toList();
    }

    private static void freezeAllButHead(SameDiff sd) {
        List<SDVariable> frozen = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !v.name().startsWith(TinyVit.HEAD_PREFIX)) {
                frozen.add(v);
            }
        }
        sd.convertToConstants(frozen);
    }

    private static long trainableBelowHead(SameDiff sd) {
        return sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE
                && !v.name().startsWith(TinyVit.HEAD_PREFIX)).mapToLong(v -> v.getArr().length()).sum();
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
