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

/**
 * The {@code inference} scenario: the dense and conv networks in inference mode, plain (built-in
 * layer) against NOLA unmerged (β trained to non-zero values), NOLA merged in place
 * ({@link InPlaceMerger}: W ← W + s·A·B, β = 0) and NOLA exported as a plain network
 * ({@link NolaMerge}).
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
            MultiLayerNetwork exported = NolaMerge.merge(nola);

            Timing plainTime = Timing.measure(() -> plain.output(x), warmup, runs);
            Timing unmerged = Timing.measure(() -> nola.output(x), warmup, runs);
            InPlaceMerger merger = new InPlaceMerger(AdaptedNetwork.of(nola));
            merger.merge();
            Timing merged = Timing.measure(() -> nola.output(x), warmup, runs);
            merger.unmerge();
            Timing export = Timing.measure(() -> exported.output(x), warmup, runs);
            out.println("bench inference-" + name + "-plain " + plainTime.format());
            out.println("bench inference-" + name + "-unmerged " + unmerged.format());
            out.println("bench inference-" + name + "-merged " + merged.format());
            out.println("bench inference-" + name + "-exported " + export.format());
            out.printf("bench inference-%s-ratio unmerged/plain=%.3f merged/plain=%.3f exported/plain=%.3f%n", name,
                    unmerged.median() / plainTime.median(), merged.median() / plainTime.median(),
                    export.median() / plainTime.median());
        }
    }
}
