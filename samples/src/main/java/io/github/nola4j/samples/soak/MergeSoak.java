package io.github.nola4j.samples.soak;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterBank;
import io.github.nola4j.layers.adapter.AdapterCapture;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.ResNet50;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The {@code merge} soak: DL4J's zoo ResNet50 at {@value #SIZE}×{@value #SIZE} with all 53
 * convolutions adapted (r = 4, k = l = 256), two adapters in an {@link AdapterBank}; one cycle
 * activates the other adapter, merges it into W and unmerges it, and every tenth cycle detaches.
 * Passes when resident memory grows less than the limit after warm-up and every parameter is
 * bit-identical to the base's at the end (after a final detach).
 */
final class MergeSoak {

    static final int SIZE = 96;
    private static final int DETACH_EVERY = 10;

    private MergeSoak() {
    }

    /** @return true when the soak passed */
    static boolean run(SoakRun settings, PrintStream out) {
        ComputationGraph base = ResNet50.builder().numClasses(10).seed(3).inputShape(new int[] {3, SIZE, SIZE})
                .build().init();
        TransferResult<ComputationGraph> transfer = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION).rank(4)
                .numBases(256, 256).scale(0.25).basisSeed(42).build();
        ComputationGraph net = transfer.network();
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        byte[] pristine = bytes(net.params());
        AdapterBank bank = new AdapterBank(adapted, List.of(), LoadOptions.STRICT);
        for (String task : List.of("a", "b")) {
            randomCoefficients(adapted, task.hashCode());
            bank.add(task, AdapterCapture.capture(adapted, task, List.of()));
        }
        bank.useBase();
        out.printf("soak %s model=ResNet50 input=%dx%d adapted_layers=%d r=4 k=l=256 weights=%d warmup=%d cycles=%d"
                + "%n", settings.name(), SIZE, SIZE, adapted.nolaLayers().size(), net.numParams(), settings.warmup(),
                settings.cycles());
        SoakRun.Result result = settings.run(i -> cycle(bank, i), out);
        bank.useBase();
        boolean identical = Arrays.equals(pristine, bytes(net.params()));
        out.println("soak " + settings.name() + " params_bit_identical=" + identical);
        return settings.verdict(result, identical, out);
    }

    /** activate the other adapter, merge, unmerge; detach every {@value #DETACH_EVERY}th cycle. */
    private static void cycle(AdapterBank bank, int i) {
        bank.activate(i % 2 == 0 ? "a" : "b");
        bank.merge();
        bank.unmerge();
        if (i % DETACH_EVERY == DETACH_EVERY - 1) {
            bank.useBase();
        }
    }

    /** Stands in for training: α and β of every NOLA layer drawn from N(0, 1) with this seed. */
    private static void randomCoefficients(AdaptedNetwork net, long seed) {
        Random random = new Random(seed);
        for (Layer layer : net.nolaLayers()) {
            for (String key : List.of(NolaLayer.ALPHA_KEY, NolaLayer.BETA_KEY)) {
                INDArray p = layer.getParam(key);
                double[] v = random.doubles(p.length()).map(u -> random.nextGaussian()).toArray();
                p.assign(Nd4j.createFromArray(v).reshape(p.shape()).castTo(p.dataType()));
            }
        }
    }

    private static byte[] bytes(INDArray a) {
        return a.dup().data().asBytes();
    }
}
