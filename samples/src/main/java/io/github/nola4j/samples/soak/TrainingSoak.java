package io.github.nola4j.samples.soak;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.samples.bench.BenchNetworks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code train} soak: NOLA training steps of the {@code conv} bench scenario (batch 32 of
 * 64×32×32, a NolaConv2d 64→64 3×3 with r = 4, k = l = 256, global average pooling, softmax head,
 * Adam). Passes when resident memory grows less than the limit after warm-up and the NOLA
 * layer's frozen W and b are bit-identical at the end.
 */
final class TrainingSoak {

    private TrainingSoak() {
    }

    /** @return true when the soak passed */
    static boolean run(SoakRun settings, PrintStream out) {
        MultiLayerNetwork net = BenchNetworks.network(BenchNetworks.Scenario.CONV, BenchNetworks.Kind.NOLA);
        DataSet batch = BenchNetworks.batch(BenchNetworks.Scenario.CONV);
        Layer nola = net.getLayer(0);
        byte[] frozen = frozenBytes(nola);
        out.printf("soak %s scenario=conv (bench) params=%d warmup=%d steps=%d%n", settings.name(), net.numParams(),
                settings.warmup(), settings.cycles());
        SoakRun.Result result = settings.run(i -> net.fit(batch), out);
        boolean identical = Arrays.equals(frozen, frozenBytes(nola));
        out.printf("soak %s frozen_W_b_bit_identical=%s score=%.4f%n", settings.name(), identical, net.score());
        return settings.verdict(result, identical, out);
    }

    private static byte[] frozenBytes(Layer layer) {
        byte[] w = layer.getParam(LowRankLayer.WEIGHT_KEY).dup().data().asBytes();
        byte[] b = layer.getParam(LowRankLayer.BIAS_KEY).dup().data().asBytes();
        byte[] out = Arrays.copyOf(w, w.length + b.length);
        System.arraycopy(b, 0, out, w.length, b.length);
        return out;
    }
}
