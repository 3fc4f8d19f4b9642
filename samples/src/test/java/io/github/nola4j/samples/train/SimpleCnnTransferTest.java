package io.github.nola4j.samples.train;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.samples.cnn.BaseArchitecture;
import io.github.nola4j.samples.cnn.CnnTransfer;
import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.cnn.ZooSimpleCnn;
import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.zoo.AdapterSpec;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zoo SimpleCNN pretrained (one epoch on the shipped subset) and transferred with NOLA: its nine
 * convolutions below the head adapted, every frozen weight and BatchNorm value bit-identical after
 * fine-tuning.
 */
class SimpleCnnTransferTest {

    @TempDir
    static Path work;

    static TrainTestData data;
    static PretrainResult base;

    @BeforeAll
    static void pretrain() {
        data = FashionMnist.loadSubset();
        PretrainConfig config = new PretrainConfig(BaseArchitecture.SIMPLECNN, PretrainConfig.DEFAULT_SOURCE_CLASSES,
                1, 64, 1);
        base = Pretraining.loadOrTrain(data, config, work, ProgressBar.SILENT);
    }

    @Test
    void pretrainingSetsBatchNormStatisticsAndSavesTheBase() {
        assertTrue(base.file().getFileName().toString().startsWith("simplecnn-"), base.file().toString());
        assertTrue(base.accuracy() > 0.3, "source accuracy after one epoch: " + base.accuracy());
        MultiLayerNetwork fresh = ZooSimpleCnn.create(5, 1);
        for (int i = 0; i < fresh.getnLayers(); i++) {
            if (fresh.getLayer(i).conf().getLayer() instanceof BatchNormalization) {
                assertTrue(base.net().getLayer(i).getParam("mean").amaxNumber().doubleValue() > 0,
                        "layer " + i + " kept the initial running mean 0");
            }
        }
    }

    @Test
    void nolaAdaptsTheNineConvolutionsAndLeavesTheRestBitIdentical() {
        FinetuneConfig config = new FinetuneConfig(Method.NOLA, FinetuneConfig.DEFAULT_CLASSES, 10,
                new AdapterSpec(4, 16, 16, 7, 0.25), 2, 25, 1e-2, 1);
        FinetuneResult r = Finetuning.run(base.net(), data, config, ProgressBar.SILENT);

        List<String> adapted = CnnTransfer.adaptedLayers(base.net());
        assertEquals(adapted, r.transfer().summary().adaptedLayers());
        assertEquals(9 * 32, r.trainableWithoutHead());
        List<String> frozen = new ArrayList<>();
        for (int i = 0; i < base.net().getnLayers(); i++) {
            String name = base.net().getLayer(i).conf().getLayer().getLayerName();
            if (name.equals(ZooSimpleCnn.HEAD)) {
                continue;
            }
            for (var e : base.net().getLayer(i).paramTable().entrySet()) {
                assertArrayEquals(e.getValue().dup().data().asFloat(),
                        r.net().getLayer(name).getParam(e.getKey()).dup().data().asFloat(), name + " " + e.getKey());
                frozen.add(name + "/" + e.getKey());
            }
        }
        assertTrue(frozen.contains("layer29/log10stdev"), frozen.toString());
        double beta = r.net().getLayer(adapted.get(0)).getParam(NolaLayer.BETA_KEY).amaxNumber().doubleValue();
        assertTrue(beta > 0, "beta of the first convolution did not train");
    }
}
