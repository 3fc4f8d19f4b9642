package io.github.nola4j.samples.cnn;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The zoo SimpleCNN base: trainable, saved and restored by ModelSerializer, and what a transfer adapts in it. */
class ZooSimpleCnnTest {

    @Test
    void modelSerializerRestoresIt(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = ZooSimpleCnn.create(5, 3);
        File file = new File(dir, "simplecnn.zip");
        ModelSerializer.writeModel(net, file, false);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, false);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, BaseCnn.IMAGE_SIZE, BaseCnn.IMAGE_SIZE);
        assertEquals(net.output(x, false), restored.output(x, false));
        assertEquals(ZooSimpleCnn.OUTPUT, restored.getLayer(restored.getnLayers() - 1).conf().getLayer()
                .getLayerName());
    }

    @Test
    void transfersReplaceTheLastConvolutionAndAdaptTheNineBelowIt() {
        MultiLayerNetwork net = ZooSimpleCnn.create(5, 3);
        assertEquals(ZooSimpleCnn.HEAD, CnnTransfer.head(net));
        assertEquals(List.of("image_array", "layer2", "layer7", "layer9", "layer14", "layer16", "layer21", "layer23",
                "layer28"), CnnTransfer.adaptedLayers(net));
    }

    @Test
    void theBaseCnnKeepsItsHeadAndAdaptedLayers() {
        MultiLayerNetwork net = BaseCnn.create(5, 3);
        assertEquals(BaseCnn.HEAD, CnnTransfer.head(net));
        assertEquals(BaseCnn.ADAPTED_LAYERS, CnnTransfer.adaptedLayers(net));
    }
}
