package io.github.nola4j.zoo.graph;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static io.github.nola4j.zoo.graph.GraphFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity with the layers: a graph weight adapted with the same seed, rank, k, l and scale as a
 * {@link NolaDense} / {@link NolaConv2d}, given that layer's α and β, has the same ΔW and the same outputs
 * (double precision), so the two share bases, constants and the kernel flattening.
 */
class GraphLayerParityTest {

    private static final double TOLERANCE = 1e-12;
    private static final long SEED = 77;
    private static final int RANK = 2;
    private static final int K = 6;
    private static final int L = 3;
    private static final double SCALE = 0.7;

    @Test
    void denseMatchesNolaDense() {
        MultiLayerNetwork net = init(new NolaDense.Builder().nIn(5).nOut(4).rank(RANK).numBasesA(K).numBasesB(L).basisSeed(SEED)
                .scale(SCALE).activation(Activation.IDENTITY).build(), InputType.feedForward(5));
        Layer layer = net.getLayer(0);
        Map<String, INDArray> params = layer.paramTable();
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("in", DataType.DOUBLE, -1, 5);
        x.mmul(sd.var("W", params.get("W").dup())).add("out", sd.var("b", params.get("b").dup()));
        GraphTransferResult r = adapt(sd, params);
        INDArray features = Nd4j.randn(DataType.DOUBLE, 7, 5);
        assertClose(net.output(features), r.sameDiff().output(Map.of("in", features), "out")
                .get("out"), TOLERANCE, "dense output");
        INDArray delta = ((NolaLayer) layer.conf().getLayer()).update(params).delta();
        assertClose(delta, merged(r).sub(params.get("W")), TOLERANCE, "dense ΔW");
    }

    @Test
    void kernelMatchesNolaConv2dInTwoWeightsFormats() {
        MultiLayerNetwork net = init(new NolaConv2d.Builder().nIn(3).nOut(5).kernelSize(2, 3).rank(RANK).numBasesA(K)
                .numBasesB(L).basisSeed(SEED).scale(SCALE).activation(Activation.IDENTITY)
                .convolutionMode(ConvolutionMode.Truncate).build(), InputType.convolutional(6, 6, 3));
        Layer layer = net.getLayer(0);
        Map<String, INDArray> params = layer.paramTable();
        INDArray w = params.get("W"); // [nOut, nIn, kH, kW]
        INDArray features = Nd4j.randn(DataType.DOUBLE, 2, 3, 6, 6);
        INDArray expected = net.output(features);
        INDArray mergedOiyx = ((NolaLayer) layer.conf().getLayer()).update(params).mergedWeight(w);
        for (WeightsFormat format : List.of(WeightsFormat.YXIO, WeightsFormat.OIYX)) {
            INDArray kernel = format == WeightsFormat.OIYX ? w.dup() : w.permute(2, 3, 1, 0).dup('c');
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("in", DataType.DOUBLE, -1, 3, 6, 6);
            Conv2DConfig config = Conv2DConfig.builder().kH(2).kW(3).weightsFormat(format).build();
            sd.cnn().conv2d("out", x, sd.var("W", kernel), sd.var("b", params.get("b").reshape(5).dup()), config);
            GraphTransferResult r = adapt(sd, params);
            assertEquals(format == WeightsFormat.OIYX ? WeightLayout.KERNEL_OIYX : WeightLayout.KERNEL_YXIO,
                    r.adaptedWeights().get(0).layout());
            assertClose(expected, r.sameDiff().output(Map.of("in", features), "out").get("out"), TOLERANCE,
                    format + " output");
            INDArray mergedInFormat = format == WeightsFormat.OIYX ? mergedOiyx : mergedOiyx.permute(2, 3, 1, 0);
            assertClose(mergedInFormat, merged(r), TOLERANCE, format + " merged kernel");
        }
    }

    /** Adapts "W" with the layer's options and copies the layer's α and β into the graph. */
    private static GraphTransferResult adapt(SameDiff sd, Map<String, INDArray> params) {
        GraphTransferResult r = NolaGraphTransfer.of(sd).targetNames("W").rank(RANK).numBases(K, L).basisSeed(SEED)
                .scale(SCALE).build();
        List<String> coefficients = r.trainableVariablesOf("W");
        assertEquals(params.get(NolaLayer.ALPHA_KEY), r.sameDiff().getArrForVarName(coefficients.get(0)),
                "α at step 0");
        r.sameDiff().getArrForVarName(coefficients.get(0)).assign(params.get(NolaLayer.ALPHA_KEY));
        r.sameDiff().getArrForVarName(coefficients.get(1)).assign(params.get(NolaLayer.BETA_KEY));
        return r;
    }

    private static INDArray merged(GraphTransferResult r) {
        String name = r.adaptedWeights().get(0).mergedVariable();
        return r.sameDiff().output(Map.of(), List.of(name)).get(name); // W + s·ΔW reads no placeholder
    }

    /** A one-layer double network around {@code conf}, its β moved off zero so that ΔW ≠ 0. */
    private static MultiLayerNetwork init(org.deeplearning4j.nn.conf.layers.Layer conf, InputType input) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).list().layer(conf).setInputType(input).build());
        net.init();
        Layer layer = net.getLayer(0);
        Nd4j.getRandom().setSeed(11);
        layer.getParam(NolaLayer.BETA_KEY).assign(Nd4j.randn(DataType.DOUBLE, 1, L));
        layer.getParam("b").assign(Nd4j.randn(DataType.DOUBLE, layer.getParam("b").shape()));
        return net;
    }
}
