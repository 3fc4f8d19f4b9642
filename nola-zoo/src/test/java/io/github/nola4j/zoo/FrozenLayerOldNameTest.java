package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Networks saved when {@link FrozenInferenceLayer} was called FrozenBackpropLayer still load and train the same. */
class FrozenLayerOldNameTest {

    private static final long[] INPUT = {1, 10, 10};
    private static final String NEW_NAME = FrozenInferenceLayer.class.getName();
    @SuppressWarnings("deprecation")
    private static final String OLD_NAME = FrozenBackpropLayer.class.getName();

    @TempDir
    File dir;

    @Test
    void networkJsonNamingTheOldClassLoadsAndTrainsLikeTheNewOne() throws Exception {
        MultiLayerNetwork net = NolaTransfer.of(Fixtures.smallCnn(DataType.FLOAT))
                .targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE).rank(2).numBases(5, 7).basisSeed(11)
                .replaceHead(4)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.1)).build())
                .build().network();
        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains("\"" + NEW_NAME + "\""), "new networks are written with the new name");
        assertFalse(json.contains(OLD_NAME), "new networks do not use the old name");

        MultiLayerNetwork restored = saveAndRestore(net, json.replace(NEW_NAME, OLD_NAME), "old-name.zip");

        assertInstanceOf(FrozenBackpropLayer.class, restored.getLayerWiseConfigurations().getConf(1).getLayer());
        assertInstanceOf(FrozenInferenceRuntime.class, restored.getLayer(1));
        DataSet d = Fixtures.data(DataType.FLOAT, 12, INPUT, 4, 5);
        assertEquals(net.output(d.getFeatures()), restored.output(d.getFeatures()));
        MultiLayerNetwork renamed = saveAndRestore(net, json, "new-name.zip");
        Nd4j.getRandom().setSeed(42); // the same dropout masks in both steps
        restored.fit(d);
        Nd4j.getRandom().setSeed(42);
        renamed.fit(d);
        assertEquals(renamed.params(), restored.params(), "one step trains the same under either name");
    }

    /** @return the network of configuration {@code json} with {@code net}'s parameters, through a ModelSerializer file */
    private MultiLayerNetwork saveAndRestore(MultiLayerNetwork net, String json, String fileName) throws Exception {
        MultiLayerNetwork copy = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        copy.init(net.params().dup(), false);
        File file = new File(dir, fileName);
        ModelSerializer.writeModel(copy, file, false);
        return ModelSerializer.restoreMultiLayerNetwork(file, false);
    }
}
