package io.github.nola4j.layers;

import io.github.nola4j.layers.merge.NolaMerge;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour every low-rank (NOLA and LoRA) layer must have, checked against the built-in DL4J layer it replaces.
 * Networks are [layer before, layer under test, softmax output], so gradients to the input of the
 * layer under test are checked through the parameters of the layer before it.
 */
abstract class LowRankLayerContract {

    static final int LAYER = 1;
    static final int CLASSES = 3;

    /** @return the NOLA or LoRA layer under test, with explicit nIn */
    abstract LowRankLayer.Builder<?> adapted();

    /** @return how the layer under test executes; subclasses run the contract for each runtime */
    LayerRuntime runtime() {
        return LayerRuntime.DIRECT;
    }

    /** @return the keys of the trainable parameters, in parameter order */
    abstract List<String> trainableKeys();

    /** @return the trainable parameter that starts at zero (so ΔW = 0) */
    String zeroAtStartKey() {
        return trainableKeys().get(1);
    }

    /** @return the built-in layer equal to {@link #adapted()} at ΔW = 0 */
    abstract Layer plain();

    /** @return the layer placed before the layer under test */
    abstract Layer before();

    abstract InputType inputType();

    abstract INDArray input(DataType dataType, int minibatch);

    /** @return builders that each differ from {@link #adapted()} in one NOLA field */
    abstract List<UnaryOperator<LowRankLayer.Builder<?>>> oneFieldChanges();

    // ------------------------------------------------------------------ networks

    MultiLayerNetwork network(Layer middle, DataType dataType, IUpdater updater,
                              UnaryOperator<NeuralNetConfiguration.Builder> extra) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(12345).dataType(dataType)
                .updater(updater);
        MultiLayerConfiguration conf = extra.apply(b).list()
                .layer(before())
                .layer(middle)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(inputType())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    MultiLayerNetwork nolaNet(DataType dataType, IUpdater updater) {
        return network(adapted().build(), dataType, updater, b -> b);
    }

    ComputationGraph nolaGraph(DataType dataType) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(12345).dataType(dataType)
                .updater(new Adam(1e-2)).graphBuilder()
                .addInputs("in")
                .addLayer("before", before(), "in")
                .addLayer("adapted", adapted().build(), "before")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "adapted")
                .setOutputs("out")
                .setInputTypes(inputType())
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Copies every parameter of {@code from} into {@code to}; the NOLA layer takes the plain layer's W and b. */
    static void copyBase(MultiLayerNetwork from, MultiLayerNetwork to) {
        for (int i = 0; i < from.getnLayers(); i++) {
            for (var e : from.getLayer(i).paramTable().entrySet()) {
                to.getLayer(i).getParam(e.getKey()).assign(e.getValue());
            }
        }
    }

    DataSet data(DataType dataType, int minibatch, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = input(dataType, minibatch);
        INDArray y = Nd4j.zeros(dataType, minibatch, CLASSES);
        for (int i = 0; i < minibatch; i++) {
            y.putScalar(i, (i * 7 + seed) % CLASSES, 1.0);
        }
        return new DataSet(x, y);
    }

    static void randomise(org.deeplearning4j.nn.api.Layer layer, String key, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray param = layer.getParam(key);
        param.assign(Nd4j.rand(param.dataType(), param.shape()).subi(0.5).muli(2));
    }

    static void randomiseBeta(org.deeplearning4j.nn.api.Layer layer, long seed) {
        randomise(layer, NolaLayer.BETA_KEY, seed);
    }

    static double[] values(INDArray a) {
        return a.dup().data().asDouble();
    }

    static double maxRelativeError(INDArray expected, INDArray actual) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE);
        double scale = Math.max(e.amaxNumber().doubleValue(), 1e-12);
        return a.sub(e).amaxNumber().doubleValue() / scale;
    }

    // ------------------------------------------------------------------ parity

    @Test
    void equalsBuiltInLayerAtStepZeroInFloat() {
        MultiLayerNetwork plain = network(plain(), DataType.FLOAT, new Adam(1e-3), b -> b);
        MultiLayerNetwork nola = nolaNet(DataType.FLOAT, new Adam(1e-3));
        copyBase(plain, nola);
        INDArray x = input(DataType.FLOAT, 6);
        INDArray expected = plain.feedForward(x, false).get(LAYER + 1);
        INDArray actual = nola.feedForward(x, false).get(LAYER + 1);
        assertTrue(maxRelativeError(expected, actual) <= 1e-6, "relative error " + maxRelativeError(expected, actual));
        assertTrue(maxRelativeError(plain.output(x), nola.output(x)) <= 1e-6);
    }

    /**
     * @return the largest relative difference allowed in double precision at step 0; 0 means
     * bit-identical
     */
    double doubleParityTolerance() {
        return 0.0;
    }

    @Test
    void equalsBuiltInLayerAtStepZeroInDouble() {
        MultiLayerNetwork plain = network(plain(), DataType.DOUBLE, new Adam(1e-3), b -> b);
        MultiLayerNetwork nola = nolaNet(DataType.DOUBLE, new Adam(1e-3));
        copyBase(plain, nola);
        INDArray x = input(DataType.DOUBLE, 6);
        INDArray expected = plain.feedForward(x, false).get(LAYER + 1);
        INDArray actual = nola.feedForward(x, false).get(LAYER + 1);
        if (doubleParityTolerance() == 0.0) {
            assertArrayEquals(values(expected), values(actual));
        } else {
            double err = maxRelativeError(expected, actual);
            assertTrue(err <= doubleParityTolerance(), "relative error " + err);
        }
    }

    @Test
    void inputGradientEqualsBuiltInLayerWhenDeltaIsZero() {
        MultiLayerNetwork plain = network(plain(), DataType.DOUBLE, new NoOp(), b -> b);
        MultiLayerNetwork nola = nolaNet(DataType.DOUBLE, new NoOp());
        copyBase(plain, nola);
        DataSet ds = data(DataType.DOUBLE, 5, 3);
        for (MultiLayerNetwork n : List.of(plain, nola)) {
            n.setInput(ds.getFeatures());
            n.setLabels(ds.getLabels());
            n.computeGradientAndScore();
        }
        Gradient gp = plain.gradient();
        Gradient gn = nola.gradient();
        for (String key : List.of("0_W", "0_b", "2_W", "2_b")) {
            double err = maxRelativeError(gp.getGradientFor(key), gn.getGradientFor(key));
            assertTrue(err <= 1e-10, key + " relative error " + err);
        }
    }

    @Test
    void passesGradientCheckInDoubleWithNonZeroBeta() {
        MultiLayerNetwork net = nolaNet(DataType.DOUBLE, new NoOp());
        randomise(net.getLayer(LAYER), zeroAtStartKey(), 11);
        DataSet ds = data(DataType.DOUBLE, 4, 5);
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                    .input(ds.getFeatures()).labels(ds.getLabels()).epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-9).excludeParams(Set.of(LAYER + "_W", LAYER + "_b"))
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
            assertTrue(ok, "gradient check failed; see the log for the failing parameters");
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    /**
     * Five Adam steps in double, with DL4J's training workspaces on (the default), give the same
     * parameters on this runtime as on the other one: guards the direct runtime's reuse of the
     * training forward's applied weight and pre-activation in backprop.
     */
    @Test
    void trainsLikeTheOtherRuntime() {
        LayerRuntime other = runtime() == LayerRuntime.DIRECT ? LayerRuntime.SAMEDIFF : LayerRuntime.DIRECT;
        MultiLayerNetwork mine = nolaNet(DataType.DOUBLE, new Adam(1e-2));
        MultiLayerNetwork theirs = network(adapted().runtime(other).build(), DataType.DOUBLE, new Adam(1e-2), b -> b);
        theirs.setParams(mine.params());
        for (int step = 0; step < 5; step++) {
            DataSet ds = data(DataType.DOUBLE, 4, 20 + step);
            mine.fit(ds);
            theirs.fit(ds);
        }
        assertTrue(maxRelativeError(theirs.params(), mine.params()) < 1e-9,
                "parameters after 5 steps differ between runtimes by " + maxRelativeError(theirs.params(), mine.params()));
        assertNotEquals(0.0, mine.getLayer(LAYER).getParam(zeroAtStartKey()).amaxNumber().doubleValue());
    }

    // ------------------------------------------------------------------ frozen

    @Test
    void computesGradientsOnlyForCoefficients() {
        MultiLayerNetwork net = nolaNet(DataType.FLOAT, new Adam(1e-2));
        DataSet ds = data(DataType.FLOAT, 4, 1);
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.computeGradientAndScore();
        List<String> keys = new ArrayList<>();
        for (String k : net.gradient().gradientForVariable().keySet()) {
            if (k.startsWith(LAYER + "_")) {
                keys.add(k);
            }
        }
        assertEquals(trainableKeys().stream().map(k -> LAYER + "_" + k).toList(), keys);
        assertEquals(0.0, net.getLayer(LAYER).getGradientsViewArray().get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, net.getLayer(LAYER).getParam("W").length()))
                .amaxNumber().doubleValue());
        LowRankLayer conf = (LowRankLayer) net.getLayer(LAYER).conf().getLayer();
        long others = net.getLayer(0).numParams() + net.getLayer(2).numParams();
        assertEquals(2 * (conf.numTrainableParams() + others), net.getUpdater().getStateViewArray().length(),
                "Adam state must cover only the trainable parameters and the other layers");
    }

    @Test
    void frozenWeightsStayBitIdenticalWithL2() {
        assertOnlyCoefficientsTrain(b -> b.l2(1e-2).l2Bias(1e-2));
    }

    @Test
    void frozenWeightsStayBitIdenticalWithWeightDecay() {
        assertOnlyCoefficientsTrain(b -> b.weightDecay(1e-2).weightDecayBias(1e-2));
    }

    private void assertOnlyCoefficientsTrain(UnaryOperator<NeuralNetConfiguration.Builder> regularisation) {
        MultiLayerNetwork net = network(adapted().build(), DataType.FLOAT, new Adam(1e-2), regularisation);
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(LAYER);
        INDArray w = layer.getParam("W").dup();
        INDArray b = layer.getParam("b").dup();
        INDArray first = layer.getParam(trainableKeys().get(0)).dup();
        INDArray second = layer.getParam(trainableKeys().get(1)).dup();
        for (int i = 0; i < 5; i++) {
            net.fit(data(DataType.FLOAT, 8, i));
        }
        assertArrayEquals(values(w), values(layer.getParam("W")), "W changed");
        assertArrayEquals(values(b), values(layer.getParam("b")), "b changed");
        assertFalse(first.equals(layer.getParam(trainableKeys().get(0))), trainableKeys().get(0) + " did not train");
        assertFalse(second.equals(layer.getParam(trainableKeys().get(1))), trainableKeys().get(1) + " did not train");
    }

    // ------------------------------------------------------------------ dropout

    @Test
    void dropoutWorksAsInBuiltInLayer() {
        MultiLayerNetwork plain = network(withDropout(plain()), DataType.FLOAT, new Adam(1e-3), b -> b);
        MultiLayerNetwork nola = network(adapted().dropOut(0.6).build(), DataType.FLOAT, new Adam(1e-3), b -> b);
        copyBase(plain, nola);
        INDArray x = input(DataType.FLOAT, 6);
        Nd4j.getRandom().setSeed(99);
        INDArray expected = plain.feedForward(x, true).get(LAYER + 1);
        Nd4j.getRandom().setSeed(99);
        INDArray actual = nola.feedForward(x, true).get(LAYER + 1);
        assertTrue(maxRelativeError(expected, actual) <= 1e-6, "train-mode outputs differ from the built-in layer");
        INDArray inference = nola.feedForward(x, false).get(LAYER + 1);
        assertTrue(maxRelativeError(inference, actual) > 1e-3, "dropout was not applied in training");
    }

    private static Layer withDropout(Layer layer) {
        layer.setIDropout(new org.deeplearning4j.nn.conf.dropout.Dropout(0.6));
        return layer;
    }

    // ------------------------------------------------------------------ serialisation

    @Test
    void jsonRoundTripAndEqualsCoverEveryNolaField() throws Exception {
        MultiLayerConfiguration conf = nolaNet(DataType.FLOAT, new Adam(1e-3)).getLayerWiseConfigurations();
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored);
        assertEquals(conf.getConf(LAYER).getLayer(), restored.getConf(LAYER).getLayer());
        LowRankLayer reference = adapted().build();
        assertEquals(reference, adapted().build());
        assertEquals(reference.hashCode(), adapted().build().hashCode());
        List<UnaryOperator<LowRankLayer.Builder<?>>> changes = new ArrayList<>(oneFieldChanges());
        changes.add(b -> b.runtime(runtime() == LayerRuntime.DIRECT ? LayerRuntime.SAMEDIFF : LayerRuntime.DIRECT));
        for (UnaryOperator<LowRankLayer.Builder<?>> change : changes) {
            LowRankLayer changed = change.apply(adapted()).build();
            assertNotEquals(reference, changed, "equals ignores a field: " + changed);
            assertNotEquals(reference.hashCode(), changed.hashCode(), "hashCode ignores a field: " + changed);
            LowRankLayer back = NeuralNetConfiguration.mapper().readValue(
                    NeuralNetConfiguration.mapper().writeValueAsString(changed), LowRankLayer.class);
            assertEquals(changed, back, "JSON lost a field");
        }
    }

    @Test
    void modelSerializerRoundTripOfMultiLayerNetwork(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = nolaNet(DataType.FLOAT, new Adam(1e-2));
        net.fit(data(DataType.FLOAT, 8, 1));
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        INDArray x = input(DataType.FLOAT, 5);
        assertArrayEquals(values(net.output(x)), values(restored.output(x)));
        DataSet next = data(DataType.FLOAT, 8, 2);
        net.fit(next);
        restored.fit(next);
        assertArrayEquals(values(net.params()), values(restored.params()), "continued training differs");
    }

    @Test
    void modelSerializerRoundTripOfComputationGraph(@TempDir Path dir) throws Exception {
        ComputationGraph graph = nolaGraph(DataType.FLOAT);
        graph.fit(data(DataType.FLOAT, 8, 1));
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        INDArray x = input(DataType.FLOAT, 5);
        assertArrayEquals(values(graph.outputSingle(x)), values(restored.outputSingle(x)));
        DataSet next = data(DataType.FLOAT, 8, 2);
        graph.fit(next);
        restored.fit(next);
        assertArrayEquals(values(graph.params()), values(restored.params()), "continued training differs");
    }

    // ------------------------------------------------------------------ merge

    @Test
    void mergeGivesPlainNetworkWithSameOutputs(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = nolaNet(DataType.FLOAT, new Adam(1e-2));
        randomise(net.getLayer(LAYER), zeroAtStartKey(), 4);
        INDArray x = input(DataType.FLOAT, 5);
        MultiLayerNetwork merged = NolaMerge.mergeAndUnload(net);
        assertFalse(merged.getLayerWiseConfigurations().toJson().contains("io.github.nola4j"));
        assertTrue(maxRelativeError(net.output(x), merged.output(x)) <= 1e-5);
        INDArray hidden = net.feedForward(x, false).get(LAYER + 1);
        assertTrue(maxRelativeError(hidden, merged.feedForward(x, false).get(LAYER + 1)) <= 1e-5);

        File file = dir.resolve("merged.zip").toFile();
        ModelSerializer.writeModel(merged, file, false);
        try (ZipFile zip = new ZipFile(file)) {
            String json = new String(zip.getInputStream(zip.getEntry("configuration.json")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertFalse(json.contains("nola4j"), "merged model still names nola4j classes");
        }
        INDArray restoredOutput = PlainRestore.outputInFreshJvmWithoutNola(file, x, dir);
        assertTrue(maxRelativeError(merged.output(x), restoredOutput) <= 1e-6);

        ComputationGraph graph = nolaGraph(DataType.FLOAT);
        randomise(graph.getLayer("adapted"), zeroAtStartKey(), 4);
        ComputationGraph mergedGraph = NolaMerge.mergeAndUnload(graph);
        assertTrue(maxRelativeError(graph.outputSingle(x), mergedGraph.outputSingle(x)) <= 1e-5);
    }

    // ------------------------------------------------------------------ counting, quiet, errors

    @Test
    void countsTrainableAndLoraRank1Parameters() {
        LowRankLayer layer = adapted().build();
        MultiLayerNetwork net = network(adapted().build(), DataType.FLOAT, new Adam(1e-3), b -> b);
        long trainable = 0;
        for (String key : trainableKeys()) {
            trainable += net.getLayer(LAYER).getParam(key).length();
        }
        assertEquals(trainable, layer.numTrainableParams());
        assertEquals(layer.fanIn() + layer.getNOut(), layer.loraRank1Params());
    }

    @Test
    void trainingPrintsNoDifferentiationLines() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            MultiLayerNetwork net = nolaNet(DataType.FLOAT, new Adam(1e-2));
            net.fit(data(DataType.FLOAT, 4, 1));
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("Added differentiated op"), "SameDiff noise reached stdout");
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> adapted().rank(0).build());
        assertTrue(e.getMessage().contains("rank = 0"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> adapted().nOut(0).build());
        assertTrue(e.getMessage().contains("nOut = 0"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> adapted().scale(Double.NaN).build());
        assertTrue(e.getMessage().contains("scale = NaN"), e.getMessage());
    }
}
