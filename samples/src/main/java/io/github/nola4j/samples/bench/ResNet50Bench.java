package io.github.nola4j.samples.bench;

import io.github.nola4j.layers.BasisFamilies;
import io.github.nola4j.layers.basis.BasisCache;
import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code resnet50} scenario: DL4J's zoo ResNet50 at 96×96 (its pooling leaves nothing at
 * 64×64), batch 8, 10 classes; every convolution adapted with NOLA (r = 4, k = l = 256) against
 * full fine-tuning of the same network, and a head-only transfer ({@code head}: the backbone frozen
 * by NolaTransfer, on its libnd4j frozen runtimes without any gradient, a new 10-class head
 * trains). Then inference ({@code output}) of the adapted network and of the head-only transfer against DL4J's
 * network, in images per second. {@code nola} trains with one basis product per family and step (the default,
 * {@link BasisFamilies}), {@code nola_per_layer} the same network with one pass over the bases per layer
 * ({@link BasisFamilies#detach}). {@code nola_nhwc} and {@code head_nhwc} are the same two transfers with
 * {@code activationDataFormat(CNN2DFormat.NHWC)} (the convolutional part on NHWC activations, one input permute),
 * in training and inference. Also the set-up time (swap plus first forward, basis generation included)
 * and the memory of the shared bases; with {@code --profile}, where each kind's step spends its
 * time ({@link StepProfile}).
 */
final class ResNet50Bench {

    private static final int SIZE = 96;
    private static final int BATCH = 8;
    private static final int CLASSES = 10;

    private ResNet50Bench() {
    }

    /**
     * Inference of the adapted network (unmerged adapters, frozen layers on libnd4j) and of the head-only transfer
     * (the whole backbone on the frozen runtimes) against DL4J's network.
     */
    private static void inference(PrintStream out, ComputationGraph base, Map<String, ComputationGraph> transfers,
                                  org.nd4j.linalg.api.ndarray.INDArray features, int warmup, int runs) {
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("dl4j", () -> base.output(features));
        transfers.forEach((kind, net) -> calls.put(kind, () -> net.output(features)));
        Map<String, Timing> timings = Timing.interleaved(calls, warmup, runs);
        timings.forEach((kind, t) -> out.printf("bench resnet50-inference-%s %s images_per_s=%.1f%n", kind, t.format(),
                BATCH * 1000.0 / t.median()));
    }

    /** @return every convolution of {@code base} adapted with NOLA (r = 4, k = l = 256) */
    private static TransferResult<ComputationGraph> adapt(ComputationGraph base, CNN2DFormat format) {
        return NolaTransfer.of(base).activationDataFormat(format).targetKinds(LayerKind.CONVOLUTION)
                .rank(4).numBases(256, 256).scale(0.25).basisSeed(42)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .build();
    }

    /** @return a head-only transfer of {@code base}: the backbone frozen, a new 10-class head, activations in {@code format} */
    private static ComputationGraph headOnly(ComputationGraph base, CNN2DFormat format) {
        return NolaTransfer.of(base).activationDataFormat(format).replaceHead(CLASSES)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .build().network();
    }

    /** Steps each kind runs under the profiler with {@code --profile}. */
    private static final int PROFILED_STEPS = 10;

    static void run(PrintStream out, int warmup, int runs, boolean profile) {
        ComputationGraph base = ResNet50.builder().numClasses(CLASSES).seed(3)
                .inputShape(new int[] {3, SIZE, SIZE}).updater(new Adam(1e-3)).build().init();
        Nd4j.getRandom().setSeed(5);
        var features = Nd4j.rand(DataType.FLOAT, BATCH, 3, SIZE, SIZE);
        var labels = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
        for (int i = 0; i < BATCH; i++) {
            labels.putScalar(i, i % CLASSES, 1);
        }
        DataSet batch = new DataSet(features, labels);

        BasisCache.clear();
        long start = System.nanoTime();
        TransferResult<ComputationGraph> adapted = adapt(base, CNN2DFormat.NCHW);
        ComputationGraph nola = adapted.network();
        nola.output(features);
        double setupMs = (System.nanoTime() - start) / 1e6;
        out.printf("bench resnet50-setup ms=%.0f adapted_layers=%d bases_bytes=%d%n", setupMs,
                adapted.adaptedLayers().size(), BasisCache.bytesHeld());

        ComputationGraph headOnly = headOnly(base, CNN2DFormat.NCHW);
        ComputationGraph headNhwc = headOnly(base, CNN2DFormat.NHWC);
        ComputationGraph nolaNhwc = adapt(base, CNN2DFormat.NHWC).network();
        ComputationGraph perLayer = adapt(base, CNN2DFormat.NCHW).network();
        BasisFamilies.detach(perLayer);
        Map<String, Runnable> steps = new LinkedHashMap<>();
        steps.put("full", () -> base.fit(batch));
        steps.put("nola", () -> nola.fit(batch));
        steps.put("nola_per_layer", () -> perLayer.fit(batch));
        steps.put("head", () -> headOnly.fit(batch));
        steps.put("nola_nhwc", () -> nolaNhwc.fit(batch));
        steps.put("head_nhwc", () -> headNhwc.fit(batch));
        Map<String, Timing> timings = Timing.interleaved(steps, warmup, runs);
        timings.forEach((kind, t) -> out.println("bench resnet50-" + kind + " " + t.format()));
        Timing full = timings.get("full");
        Timing nolaStep = timings.get("nola");
        out.printf("bench resnet50-ratio nola/full=%.3f head/full=%.3f nola_nhwc/nola=%.3f head_nhwc/head=%.3f%n",
                nolaStep.median() / full.median(), timings.get("head").median() / full.median(),
                timings.get("nola_nhwc").median() / nolaStep.median(),
                timings.get("head_nhwc").median() / timings.get("head").median());
        Map<String, ComputationGraph> transfers = new LinkedHashMap<>();
        transfers.put("nola", nola);
        transfers.put("head", headOnly);
        transfers.put("nola_nhwc", nolaNhwc);
        transfers.put("head_nhwc", headNhwc);
        inference(out, base, transfers, features, warmup, runs);
        if (profile) {
            steps.forEach((kind, step) -> out.println(StepProfile.profile("resnet50-" + kind, step, PROFILED_STEPS)));
        }
    }
}
