package io.github.nola4j.samples.vit;

import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.LabelledImages;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.report.Variant;
import io.github.nola4j.samples.train.ProgressBar;
import io.github.nola4j.zoo.graph.GraphAdapterFiles;
import io.github.nola4j.zoo.graph.GraphTransferResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ViT sample end to end on the committed subset, with a ViT of width 16 and one block. */
class VitTransferTest {

    private static final VitShape SHAPE = new VitShape(28, 7, 16, 1, 2, 32);
    private static final int[] SOURCE = {0, 1, 2, 3, 4};
    private static final int[] TARGET = {5, 6, 7, 8, 9};

    @Test
    void nolaOnTheVitStartsAtTheBaseTrainsOnlyItsCoefficientsAndRoundTrips(@TempDir Path dir) throws Exception {
        TrainTestData data = FashionMnist.loadSubset();
        SameDiff base = TinyVit.build(SHAPE, SOURCE.length, 1);
        VitFinetuning.train(base, data.train().onlyClasses(SOURCE), SOURCE.length, run("full", 1e-3, 3),
                ProgressBar.SILENT);
        SameDiff target = VitFinetuning.targetGraph(base, SHAPE, TARGET.length, 5);
        assertTrue(bitIdentical(base.getArrForVarName("block0/q/W"), target.getArrForVarName("block0/q/W")),
                "the target graph does not carry the base's weights");
        VitRun run = run("nola8", 3e-2, 4);
        GraphTransferResult adapted = VitFinetuning.adapt(target, VitFinetuning.spec(run));
        assertEquals(List.of("block0/fc1/W", "block0/fc2/W", "block0/q/W", "block0/v/W"),
                adapted.adaptedWeights().stream().map(w -> w.name()).sorted().toList());
        assertEquals(4 * 16, adapted.trainableParams());

        LabelledImages test = data.test().onlyClasses(TARGET);
        INDArray x = test.features(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        INDArray p0 = VitFinetuning.probabilities(target, x);
        double step0 = VitFinetuning.probabilities(adapted.sameDiff(), x).sub(p0).amaxNumber().doubleValue();
        assertTrue(step0 <= 1e-6 * p0.amaxNumber().doubleValue(), "adapted graph differs from the base at step 0 by "
                + step0);

        SameDiff sd = adapted.sameDiff();
        Map<String, INDArray> frozen = new LinkedHashMap<>();
        Map<String, INDArray> trained = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.CONSTANT) {
                frozen.put(v.name(), v.getArr().dup());
            } else if (v.getVariableType() == VariableType.VARIABLE) {
                trained.put(v.name(), v.getArr().dup());
            }
        }
        assertEquals(List.of("block0/q/W/nola/alpha", "block0/q/W/nola/beta", "head/W", "head/b"),
                trained.keySet().stream().filter(n -> n.startsWith("block0/q/") || n.startsWith("head/")).sorted()
                        .toList());
        VitFinetuning.train(sd, data.train().onlyClasses(TARGET).sampleShots(10, 1), TARGET.length, run,
                ProgressBar.SILENT);
        frozen.forEach((name, before) -> assertTrue(bitIdentical(before, sd.getArrForVarName(name)),
                "frozen " + name + " moved"));
        trained.forEach((name, before) -> assertFalse(bitIdentical(before, sd.getArrForVarName(name)),
                name + " did not train"));

        Path file = dir.resolve("vit.nola");
        GraphAdapterFiles.save(adapted, file, "test", WriteOptions.fp32());
        INDArray restored = VitFinetuning.probabilities(VitFinetuning.restore(target, adapted, file), x);
        assertTrue(bitIdentical(VitFinetuning.probabilities(sd, x), restored),
                "the graph restored from the base and the fp32 file gives other outputs");
    }

    @Test
    void everyMethodRunsAndReportsItsSizes() {
        TrainTestData data = FashionMnist.loadSubset();
        SameDiff base = TinyVit.build(SHAPE, SOURCE.length, 2);
        Map<String, VitResult> results = new LinkedHashMap<>();
        for (String id : new String[] {"head", "nola8"}) {
            results.put(id, VitFinetuning.run(base, SHAPE, data, run(id, 1e-2, 2), ProgressBar.SILENT));
        }
        assertEquals(0, results.get("head").trainable());
        assertEquals(4 * 16, results.get("nola8").trainable());
        long rank1 = (16 + 16) * 2 + (16 + 32) * 2;
        assertEquals(rank1, results.get("nola8").loraRank1());
        SameDiff target = VitFinetuning.targetGraph(base, SHAPE, TARGET.length, 1);
        assertEquals(rank1, VitFinetuning.adapt(target, VitFinetuning.spec(run("lora1", 1e-2, 2))).trainableParams());
        assertEquals(0.0, results.get("nola8").roundTripDiff());
        assertTrue(results.get("nola8").fileBytes4() < results.get("nola8").fileBytes32());
        results.forEach((id, r) -> assertTrue(r.accuracy() > 0 && r.accuracy() <= 1, id + ": " + r.accuracy()));
    }

    @Test
    void warmUpNotShorterThanTheRunIsAUsageErrorBeforeAnyFile(@TempDir Path dir) {
        Path out = dir.resolve("out");
        String error = io.github.nola4j.samples.CliRun.usageError("vit", "--steps", "20", "--warmup-steps", "20",
                "--out", out.toString(), "--work", dir.resolve("work").toString());
        assertTrue(error.contains("--warmup-steps 20 must be less than --steps 20"), error);
        assertFalse(java.nio.file.Files.exists(out), "the output folder was created before the check");
        assertTrue(WarmupCosine.rate(1e-2, 0, 10, 0) == 1e-2 && WarmupCosine.rate(1e-2, 0, 10, 10)
                == WarmupCosine.MIN_RATE, "cosine from the peak to the floor");
        assertEquals(1e-2 / 2 + WarmupCosine.MIN_RATE / 2, WarmupCosine.rate(1e-2, 4, 14, 9), 1e-12,
                "half way through the cosine after the warm-up");
    }

    private static VitRun run(String id, double lr, int steps) {
        Variant v = Variant.parse(id, 2);
        return new VitRun(new Variant(id, v.method(), v.rank(), v.numBases(), lr), TARGET, 10, steps, 10, 1, 3);
    }

    private static boolean bitIdentical(INDArray a, INDArray b) {
        return Arrays.equals(a.shape(), b.shape()) && Arrays.equals(a.dup().data().asFloat(), b.dup().data().asFloat());
    }
}
