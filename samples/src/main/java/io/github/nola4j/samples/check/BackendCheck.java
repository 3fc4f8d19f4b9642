package io.github.nola4j.samples.check;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.samples.bench.BenchMain;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code gpu-check}: runs the layer tests' core checks on whatever ND4J backend is on the class
 * path (CUDA when the jar was built with {@code -Pcuda}), then the bench scenarios, and prints a
 * summary. Checks, for NolaDense and NolaConv2d:
 * <ul>
 *   <li>parity: at step 0 the output equals the built-in layer holding the same W and b
 *       (float, 1e-5 relative);</li>
 *   <li>gradient check: GradientCheckUtil in double with β non-zero;</li>
 *   <li>frozen: after fit() with Adam, W and b are bit-identical and α, β changed.</li>
 * </ul>
 */
public final class BackendCheck {

    private final PrintStream out;
    private int failures;

    private BackendCheck(PrintStream out) {
        this.out = out;
    }

    /** @return the number of failed checks (0 when everything passed) */
    public static int run(PrintStream out, boolean withBench) {
        BackendCheck check = new BackendCheck(out);
        out.println("gpu-check: backend " + Nd4j.getBackend().getClass().getSimpleName() + ", "
                + Nd4j.getExecutioner().getClass().getSimpleName());
        for (boolean conv : new boolean[] {false, true}) {
            check.parity(conv);
            check.gradients(conv);
            check.frozen(conv);
        }
        if (withBench) {
            for (String scenario : new String[] {"dense", "conv", "inference"}) {
                BenchMain.run(scenario, BenchMain.DEFAULT_STEPS, BenchMain.DEFAULT_WARMUP, false, out);
            }
        }
        out.println("gpu-check: " + (check.failures == 0 ? "all checks passed" : check.failures + " checks FAILED"));
        return check.failures;
    }

    private void report(String name, boolean ok, String detail) {
        out.printf("gpu-check %-26s %s %s%n", name, ok ? "PASS" : "FAIL", detail);
        if (!ok) {
            failures++;
        }
    }

    private static Layer nola(boolean conv) {
        return conv ? new NolaConv2d.Builder().nOut(4).kernelSize(3, 3).convolutionMode(ConvolutionMode.Same)
                .rank(2).numBasesA(6).numBasesB(5).activation(Activation.TANH).build()
                : new NolaDense.Builder().nOut(5).rank(2).numBasesA(7).numBasesB(9).activation(Activation.TANH).build();
    }

    private static Layer plain(boolean conv) {
        return conv ? new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.TANH).build()
                : new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build();
    }

    private static MultiLayerNetwork net(Layer layer, boolean conv, DataType dt, IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).dataType(dt)
                .updater(updater).list().layer(layer)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(conv ? InputType.convolutional(5, 5, 2) : InputType.feedForward(6)).build());
        net.init();
        return net;
    }

    private static DataSet data(boolean conv, DataType dt) {
        Nd4j.getRandom().setSeed(9);
        INDArray x = conv ? Nd4j.rand(dt, 4, 2, 5, 5).subi(0.5) : Nd4j.rand(dt, 4, 6).subi(0.5);
        INDArray y = Nd4j.zeros(dt, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    private static String kind(boolean conv) {
        return conv ? "NolaConv2d" : "NolaDense";
    }

    private void parity(boolean conv) {
        MultiLayerNetwork plain = net(plain(conv), conv, DataType.FLOAT, new Adam(1e-3));
        MultiLayerNetwork nola = net(nola(conv), conv, DataType.FLOAT, new Adam(1e-3));
        for (String key : new String[] {"W", "b"}) {
            nola.getLayer(0).getParam(key).assign(plain.getLayer(0).getParam(key));
        }
        for (String key : plain.getLayer(1).paramTable().keySet()) {
            nola.getLayer(1).getParam(key).assign(plain.getLayer(1).getParam(key));
        }
        INDArray x = data(conv, DataType.FLOAT).getFeatures();
        INDArray expected = plain.output(x);
        double err = expected.sub(nola.output(x)).amaxNumber().doubleValue()
                / Math.max(expected.amaxNumber().doubleValue(), 1e-12);
        report(kind(conv) + " parity", err <= 1e-5, String.format("relative error %.2e", err));
    }

    private void gradients(boolean conv) {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork net = net(nola(conv), conv, DataType.DOUBLE, new NoOp());
            Nd4j.getRandom().setSeed(2);
            INDArray beta = net.getLayer(0).getParam("beta");
            beta.assign(Nd4j.rand(DataType.DOUBLE, beta.shape()).subi(0.5));
            DataSet ds = data(conv, DataType.DOUBLE);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                    .input(ds.getFeatures()).labels(ds.getLabels()).epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-9).excludeParams(Set.of("0_W", "0_b"))
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
            report(kind(conv) + " gradient check", ok, "double precision, beta != 0");
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    private void frozen(boolean conv) {
        MultiLayerNetwork net = net(nola(conv), conv, DataType.FLOAT, new Adam(1e-2));
        var layer = net.getLayer(0);
        double[] w = layer.getParam("W").dup().data().asDouble();
        double[] b = layer.getParam("b").dup().data().asDouble();
        INDArray alpha = layer.getParam("alpha").dup();
        INDArray beta = layer.getParam("beta").dup();
        for (int i = 0; i < 3; i++) {
            net.fit(data(conv, DataType.FLOAT));
        }
        boolean ok = Arrays.equals(w, layer.getParam("W").data().asDouble())
                && Arrays.equals(b, layer.getParam("b").data().asDouble())
                && !alpha.equals(layer.getParam("alpha")) && !beta.equals(layer.getParam("beta"));
        report(kind(conv) + " frozen W, b", ok, "3 Adam steps");
    }
}
