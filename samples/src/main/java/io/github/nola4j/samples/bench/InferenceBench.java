package io.github.nola4j.samples.bench;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.InPlaceMerger;
import io.github.nola4j.layers.merge.NolaMerge;
import io.github.nola4j.samples.bench.BenchNetworks.Kind;
import io.github.nola4j.samples.bench.BenchNetworks.Scenario;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code inference} scenario: the dense and conv networks in inference mode, plain (built-in
 * layer) against NOLA unmerged (β trained to non-zero values), NOLA merged in place in a clone
 * ({@link InPlaceMerger}: W ← W + s·A·B, β = 0) and NOLA exported as a plain network
 * ({@link NolaMerge}), interleaved call by call ({@link Timing#interleaved}).
 */
final class InferenceBench {

    private InferenceBench() {
    }

    static void run(PrintStream out, int warmup, int runs) {
        for (Scenario scenario : Scenario.values()) {
            String name = scenario.name().toLowerCase();
            INDArray x = BenchNetworks.batch(scenario).getFeatures();
            MultiLayerNetwork plain = BenchNetworks.network(scenario, Kind.FULL);
            MultiLayerNetwork nola = BenchNetworks.network(scenario, Kind.NOLA);
            Nd4j.getRandom().setSeed(3);
            INDArray beta = nola.getLayer(0).getParam("beta");
            beta.assign(Nd4j.rand(beta.dataType(), beta.shape()).subi(0.5));
            MultiLayerNetwork exported = NolaMerge.mergeAndUnload(nola);
            MultiLayerNetwork mergedNet = nola.clone();
            InPlaceMerger merger = new InPlaceMerger(AdaptedNetwork.of(mergedNet));
            merger.merge();

            Map<String, Runnable> cases = new LinkedHashMap<>();
            cases.put("plain", () -> plain.output(x));
            cases.put("unmerged", () -> nola.output(x));
            cases.put("merged", () -> mergedNet.output(x));
            cases.put("exported", () -> exported.output(x));
            Map<String, Timing> timings = Timing.interleaved(cases, warmup, runs);
            timings.forEach((kind, t) -> out.println("bench inference-" + name + "-" + kind + " " + t.format()));
            Timing plainTime = timings.get("plain");
            Timing unmerged = timings.get("unmerged");
            Timing merged = timings.get("merged");
            Timing export = timings.get("exported");
            out.printf("bench inference-%s-ratio unmerged/plain=%.3f merged/plain=%.3f exported/plain=%.3f%n", name,
                    unmerged.median() / plainTime.median(), merged.median() / plainTime.median(),
                    export.median() / plainTime.median());
        }
    }
}
