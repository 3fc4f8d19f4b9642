package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.List;

/**
 * Measures (does not assert) the time of a task switch: 16 NolaConv2d 64→64 3×3 layers with
 * k = l = 256 plus a 64·16·16 → 10 head. Run as a main class on the test class path; it is not a
 * test (surefire does not pick up *Benchmark classes).
 */
public final class AdapterSwitchBenchmark {

    private static final int LAYERS = 16;
    private static final int ROUNDS = 2000;

    public static void main(String[] args) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).list();
        for (int i = 0; i < LAYERS; i++) {
            list.layer(new NolaConv2d.Builder().name("conv" + i).nOut(64).kernelSize(3, 3).rank(4).numBasesA(256)
                    .numBasesB(256).scale(0.25).activation(Activation.RELU).build());
        }
        list.layer(new OutputLayer.Builder().name("head").nOut(10).activation(Activation.SOFTMAX)
                .lossFunction(LossFunctions.LossFunction.MCXENT).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(InputType.convolutional(16, 16, 64)).build());
        net.init();
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        AdapterBank bank = new AdapterBank(adapted, List.of("head"), LoadOptions.STRICT);
        TestNets.pretendTrained(net, 1);
        Adapter a = AdapterCapture.capture(adapted, "a", List.of("head"));
        TestNets.pretendTrained(net, 2);
        Adapter b = AdapterCapture.capture(adapted, "b", List.of("head"));
        Adapter bNoHead = new Adapter("c", b.generatorId(), b.generatorVersion(), b.baseFingerprint(), b.layers(),
                List.of());
        bank.add("a", a);
        bank.add("b", b);
        byte[] file = AdapterCodec.encode(b, WriteOptions.quantized(4));

        report("switch, coefficients + head (" + bank.adapter("a").numCoefficients() + " coefficients)",
                time(i -> bank.activate(i % 2 == 0 ? "a" : "b")));
        bank.add("c", bNoHead);
        bank.add("a", new Adapter("a", a.generatorId(), a.generatorVersion(), a.baseFingerprint(), a.layers(),
                List.of()));
        report("switch, coefficients only (head reset to base's)", time(i -> bank.activate(i % 2 == 0 ? "a" : "c")));
        report("decode 4-bit file (" + file.length + " bytes) + validate + apply", time(i ->
                AdapterApplier.apply(adapted, AdapterCodec.decode(file), LoadOptions.STRICT)));
        report("merge + unmerge (16 layers, 36864 weights each)", time(i -> {
            bank.merge();
            bank.unmerge();
        }));
    }

    private interface Step {
        void run(int i);
    }

    private static double[] time(Step step) {
        for (int i = 0; i < ROUNDS / 10; i++) {
            step.run(i);
        }
        double[] us = new double[ROUNDS / 10];
        for (int i = 0; i < us.length; i++) {
            long t0 = System.nanoTime();
            step.run(i);
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        Arrays.sort(us);
        return us;
    }

    private static void report(String what, double[] us) {
        System.out.printf("%-70s median %9.1f us, p90 %9.1f us%n", what, us[us.length / 2], us[us.length * 9 / 10]);
    }
}
