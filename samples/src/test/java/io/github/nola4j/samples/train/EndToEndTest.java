package io.github.nola4j.samples.train;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.samples.report.ReportWriter;
import org.deeplearning4j.util.ModelSerializer;
import io.github.nola4j.samples.SamplesMain;
import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.samples.cnn.BaseCnn;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.TrainTestData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pretrain one short epoch on the shipped subset, then fine-tune a few steps. */
class EndToEndTest {

    @TempDir
    static Path work;

    static TrainTestData data;
    static PretrainResult base;

    @BeforeAll
    static void pretrain() {
        data = FashionMnist.loadSubset();
        PretrainConfig config = new PretrainConfig(PretrainConfig.DEFAULT_SOURCE_CLASSES, 1, 64, 1);
        base = Pretraining.loadOrTrain(data, config, work, ProgressBar.SILENT);
    }

    @Test
    void pretrainSavesAndReloadsTheBase() {
        assertFalse(base.cached());
        assertTrue(Files.isRegularFile(base.file()));
        assertTrue(base.accuracy() >= 0 && base.accuracy() <= 1);
        PretrainResult again = Pretraining.loadOrTrain(data, new PretrainConfig(
                PretrainConfig.DEFAULT_SOURCE_CLASSES, 1, 64, 1), work, ProgressBar.SILENT);
        assertTrue(again.cached());
        assertEquals(base.net().params(), again.net().params());
    }

    @Test
    void nolaTrainsCoefficientsAndHeadOnly() {
        Map<String, float[]> before = frozenValues(base.net());
        FinetuneConfig config = new FinetuneConfig(Method.NOLA, FinetuneConfig.DEFAULT_CLASSES, 20,
                new AdapterSpec(4, 64, 64, 7, 0.25), 3, 50, 3e-2, 1);
        FinetuneResult r = Finetuning.run(base.net(), data, config, ProgressBar.SILENT);

        // base not modified, and the adapted network's frozen W and b bit-identical to it
        assertEquals(before.keySet(), frozenValues(base.net()).keySet());
        before.forEach((key, values) -> assertArrayEquals(values, frozenValues(base.net()).get(key), key));
        Map<String, float[]> after = frozenValues(r.net());
        before.forEach((key, values) -> assertArrayEquals(values, after.get(key), key + " changed in fine-tuning"));
        // ... while the coefficients moved
        INDArray beta = r.net().getLayer(BaseCnn.DENSE).getParam(NolaLayer.BETA_KEY);
        assertTrue(beta.amaxNumber().doubleValue() > 0, "beta did not train");

        assertEquals(4 * 128, r.trainableWithoutHead());
        assertEquals(128 * 5 + 5, r.headParams());
        assertEquals(4 * 128 * 4, r.adapterBytes());
        assertEquals(2761, r.loraRank1Params());
        assertEquals(250, r.testImages());
        assertTrue(r.accuracy() >= 0 && r.accuracy() <= 1, "accuracy " + r.accuracy());
        assertTrue(r.trainSeconds() > 0 && r.evalSeconds() > 0);
        assertTrue(r.mergeDifference() < 1e-4, "merged network differs by " + r.mergeDifference());
    }

    @Test
    void twoParallelWorkersKeepFrozenWeightsAndTrainCoefficients() {
        Map<String, float[]> before = frozenValues(base.net());
        FinetuneConfig config = new FinetuneConfig(Method.NOLA, FinetuneConfig.DEFAULT_CLASSES, 20,
                new AdapterSpec(4, 64, 64, 7, 0.25), 6, 25, 3e-2, 1, 2);
        FinetuneResult r = Finetuning.run(base.net(), data, config, ProgressBar.SILENT);
        Map<String, float[]> after = frozenValues(r.net());
        before.forEach((key, values) -> assertArrayEquals(values, after.get(key), key + " changed with 2 workers"));
        INDArray beta = r.net().getLayer(BaseCnn.DENSE).getParam(NolaLayer.BETA_KEY);
        assertTrue(beta.amaxNumber().doubleValue() > 0, "beta did not train");
        assertTrue(r.losses().length > 0, "no loss recorded");
        assertTrue(r.mergeDifference() < 1e-4, "merged network differs by " + r.mergeDifference());
    }

    @Test
    void headOnlyKeepsEveryBaseLayer() {
        Map<String, float[]> before = frozenValues(base.net());
        FinetuneResult r = Finetuning.run(base.net(), data, new FinetuneConfig(Method.HEAD,
                FinetuneConfig.DEFAULT_CLASSES, 10, new AdapterSpec(4, 64, 64, 7, 0.25), 2, 50, 3e-3, 1), ProgressBar.SILENT);
        Map<String, float[]> after = frozenValues(r.net());
        before.forEach((key, values) -> assertArrayEquals(values, after.get(key), key));
        assertEquals(0, r.trainableWithoutHead());
        assertEquals(0, r.adapterBytes());
    }

    @Test
    void cliFinetunePrintsASummary() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new SamplesMain(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(
                new String[] {"finetune", "--quiet", "--method", "full", "--steps", "1", "--shots", "5",
                        "--data", subsetDir(), "--base", base.file().toString()});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("test accuracy"), text);
        assertTrue(text.contains("260,672 without the head"), text);
    }

    @Test
    void loraTrainsItsFactorsAndMerges() {
        Map<String, float[]> before = frozenValues(base.net());
        FinetuneResult r = Finetuning.run(base.net(), data, new FinetuneConfig(Method.LORA,
                FinetuneConfig.DEFAULT_CLASSES, 10, Method.LORA.spec(1, 64, 1), 3, 50, 1e-2, 1),
                ProgressBar.SILENT);
        Map<String, float[]> after = frozenValues(r.net());
        before.forEach((key, values) -> assertArrayEquals(values, after.get(key), key));
        assertEquals(2761, r.trainableWithoutHead());
        assertEquals(2761 * 4, r.adapterBytes());
        assertTrue(r.net().getLayer(BaseCnn.DENSE).getParam(LoraLayer.B_KEY).amaxNumber().doubleValue() > 0);
        assertTrue(r.mergeDifference() < 1e-4, "merged network differs by " + r.mergeDifference());
    }

    @Test
    void savedAdapterReloadsAndExportRestoresWithModelSerializer() throws Exception {
        FinetuneConfig config = new FinetuneConfig(Method.NOLA, FinetuneConfig.DEFAULT_CLASSES, 10,
                Method.NOLA.spec(4, 16, 1), 3, 50, 3e-2, 1);
        FinetuneResult r = Finetuning.run(base.net(), data, config, ProgressBar.SILENT);
        Path adapter = work.resolve("a.nola");
        long bytes = SavedAdapters.save(r.transfer(), adapter, "t", SavedAdapters.FP32_BITS);
        assertEquals(bytes, Files.size(adapter));
        MultiLayerNetwork reloaded = SavedAdapters.load(base.net(), adapter);
        assertEquals(r.accuracy(), Finetuning.evaluate(reloaded, data, config, ProgressBar.SILENT));

        Path zip = work.resolve("merged.zip");
        SavedAdapters.export(r.net(), zip);
        MultiLayerNetwork plain = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        INDArray x = data.test().onlyClasses(config.classes()).features(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        double diff = plain.output(x, false).sub(r.net().output(x, false)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "restored merged network differs by " + diff);
        for (var layer : plain.getLayers()) {
            assertFalse(layer.conf().getLayer() instanceof LowRankLayer, "not merged: " + layer.conf().getLayer());
        }
    }

    @Test
    void cliSavesQuantisedAdapterAndExports() throws Exception {
        Path adapter = work.resolve("cli.nola");
        Path zip = work.resolve("cli.zip");
        String text = cli("finetune", "--quiet", "--bases", "16", "--steps", "2", "--shots", "5", "--save",
                adapter.toString(), "--bits", "4", "--export", zip.toString());
        assertTrue(text.contains("coefficients at 4 bits"), text);
        assertTrue(text.contains("reloaded into a fresh network"), text);
        assertTrue(Files.size(adapter) > 0 && Files.size(zip) > 0);
        ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
    }

    @Test
    void cliCompareWritesReportAndResumes() throws Exception {
        Path out = work.resolve("report");
        String[] args = {"compare", "--quiet", "--methods", "head,nola16,lora1", "--shots", "5", "--seeds", "1",
            "--steps", "2", "--out", out.toString()};
        String text = cli(args);
        assertTrue(text.contains("[3/3]"), text);
        String report = Files.readString(out.resolve(ReportWriter.REPORT));
        assertTrue(report.contains("| NOLA k=l=16 | 0.01 | 128 | 512 |"), report);
        assertTrue(report.contains("| LoRA r=1 | 0.003 | 2,761 | 11,044 |"), report);
        for (String png : new String[] {ReportWriter.PLOT_PARAMS, ReportWriter.PLOT_BYTES, ReportWriter.PLOT_LOSS}) {
            assertTrue(Files.size(out.resolve(png)) > 1000, png);
        }
        String again = cli(args);
        assertFalse(again.contains("[1/3]"), "runs in runs.csv were repeated: " + again);
    }

    @Test
    void cliSaysWhenItPretrainsAMissingBaseFirst() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new SamplesMain(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(
                new String[] {"finetune", "--quiet", "--method", "head", "--steps", "1", "--shots", "5",
                        "--source-classes", "0,1", "--data", subsetDir(), "--work", work.resolve("fresh").toString()});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("none in " + work.resolve("fresh") + " yet: pretraining one first"), text);
        assertTrue(text.indexOf("pretraining one first") < text.indexOf("test accuracy"), text);
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--data", subsetDir(), "--base", base.file().toString())).toArray(String[]::new);
        int status = new SamplesMain(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(all);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        return text;
    }

    private static String subsetDir() {
        try {
            return Path.of(EndToEndTest.class.getResource("/fashion-mnist-subset/").toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return copies of W and b of every adapted layer, by "layer/key" */
    private static Map<String, float[]> frozenValues(MultiLayerNetwork net) {
        Map<String, float[]> values = new HashMap<>();
        for (String layer : BaseCnn.ADAPTED_LAYERS) {
            for (String key : new String[] {"W", "b"}) {
                values.put(layer + "/" + key, net.getLayer(layer).getParam(key).dup().data().asFloat());
            }
        }
        return values;
    }
}
