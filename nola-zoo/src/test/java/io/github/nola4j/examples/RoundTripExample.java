package io.github.nola4j.examples;

import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The round trip the README quotes between its "round-trip" markers: adapt a zoo model, train,
 * save the adapter, rebuild the trained network from the base and the file alone.
 * {@code RoundTripExampleTest} runs it and checks that the README holds these lines verbatim.
 */
public final class RoundTripExample {

    private static final Logger log = LoggerFactory.getLogger(RoundTripExample.class);

    private RoundTripExample() {
    }

    /**
     * @param base    a pretrained zoo model, e.g. {@code LeNet.builder().build().initPretrained()}
     * @param train   labelled images of the new task (5 classes)
     * @param adapter where to write the adapter file
     * @return the trained network and the one rebuilt from {@code base} and the file
     */
    public static MultiLayerNetwork[] run(Model base, DataSet train, Path adapter) throws IOException {
        // round-trip:start
        TransferResult<Model> adapted = NolaTransfer.of(base)
                .targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)      // which layers get NOLA adapters
                .rank(4).numBases(64, 64).scale(0.25).quantizationBits(4)  // 4-bit-aware coefficients
                .replaceHead(5)                                           // a new 5-class output layer
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).build())
                .build();
        log.info("{}", adapted.summary());                                // trainable vs all parameters
        MultiLayerNetwork net = adapted.multiLayerNetwork();
        net.fit(new ListDataSetIterator<>(train.asList(), 32), 2);        // 2 epochs
        adapted.saveAdapter(adapter, WriteOptions.quantized(4));          // coefficients + new head
        MultiLayerNetwork restored = NolaTransfer.of(base).restore(adapter).multiLayerNetwork();
        // round-trip:end
        return new MultiLayerNetwork[] {net, restored};
    }
}
