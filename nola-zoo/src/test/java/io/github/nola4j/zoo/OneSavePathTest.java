package io.github.nola4j.zoo;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.format.LibraryVersion;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One save path: a file saved with AdapterFiles.save from a transfer's network restores with
 * NolaTransfer.restore, LoRA transfers save and restore like NOLA ones, and the transfer settings
 * are versioned with typed errors.
 */
class OneSavePathTest {

    private static final long[] INPUT = {1, 10, 10};

    @TempDir
    Path dir;

    private static NolaTransfer<MultiLayerNetwork> transfer(MultiLayerNetwork base) {
        return NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE)
                .rank(2).numBases(5, 7).basisSeed(11).scale(0.5).replaceHead(4).trainable("bn1")
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(5e-2)).seed(3L).build());
    }

    private static void train(MultiLayerNetwork net) {
        DataSet data = Fixtures.data(DataType.FLOAT, 16, INPUT, 4, 5);
        for (int i = 0; i < 2; i++) {
            net.fit(new ListDataSetIterator<>(data.asList(), 8));
        }
    }

    @Test
    void adapterFilesSaveOfATransferNetworkRestoresFromBaseAndFile() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        INDArray features = Fixtures.data(DataType.FLOAT, 32, INPUT, 4, 7).getFeatures();
        TransferResult<MultiLayerNetwork> r = transfer(base).calibrateBatchNorm(features).build();
        train(r.network());
        Path viaFiles = dir.resolve("files.nola");
        Path viaResult = dir.resolve("result.nola");
        // the user lists the trained layers; the calibrated statistics the settings need are added
        AdapterFiles.save(AdaptedNetwork.of(r.network()), viaFiles, "t", List.of("out", "bn1"), WriteOptions.fp32());
        r.saveAdapter(viaResult, "t", WriteOptions.fp32());
        assertArrayEquals(Files.readAllBytes(viaResult), Files.readAllBytes(viaFiles), "two save paths differ");

        TransferResult<MultiLayerNetwork> again = NolaTransfer.of(base).restore(viaFiles);
        assertEquals(r.network().params(), again.network().params());
        assertEquals(r.settings(), again.settings());
        // AdapterFiles.load reads the same file onto a network built by the same transfer
        TransferResult<MultiLayerNetwork> rebuilt = transfer(base).calibrateBatchNorm(features).build();
        AdapterFiles.load(AdaptedNetwork.of(rebuilt.network()), viaFiles, LoadOptions.STRICT);
        assertEquals(r.network().params(), rebuilt.network().params());
        // a restored network saves again with its settings
        Path resaved = dir.resolve("resaved.nola");
        again.saveAdapter(resaved, "t", WriteOptions.fp32());
        assertEquals(r.network().params(), NolaTransfer.of(base).restore(resaved).network().params());
    }

    @Test
    void loraTransferSavesLoadsAndRestoresBitExactly() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = transfer(base).kind(AdapterKind.LORA).build();
        train(r.network());
        assertNotEquals(0.0, r.network().getLayer("fc").getParam(LoraLayer.B_KEY).amaxNumber().doubleValue());
        Path file = dir.resolve("lora.nola");
        Adapter saved = r.saveAdapter(file, "lora", WriteOptions.fp32());
        assertTrue(saved.layers().stream().allMatch(l -> l.kind() == LayerAdapterKind.LORA));

        TransferResult<MultiLayerNetwork> again = NolaTransfer.of(base).restore(file);
        assertEquals(r.adaptedLayers(), again.adaptedLayers());
        assertEquals(r.network().params(), again.network().params());
        INDArray x = Fixtures.data(DataType.FLOAT, 6, INPUT, 4, 9).getFeatures();
        assertEquals(r.network().output(x, false), again.network().output(x, false));
        assertInstanceOf(LoraLayer.class, again.network().getLayer("conv1").conf().getLayer());
    }

    @Test
    void filesRecordTheLibraryVersion() throws Exception {
        TransferResult<MultiLayerNetwork> r = transfer(Fixtures.smallCnn(DataType.FLOAT)).build();
        Path file = dir.resolve("v.nola");
        r.saveAdapter(file, WriteOptions.fp32());
        assertEquals(LibraryVersion.current(), AdapterFiles.read(file).libraryVersion());
    }

    @Test
    void futureOrIncompleteTransferSettingsAreTypedErrorsNamingTheFix() throws Exception {
        MultiLayerNetwork base = Fixtures.smallCnn(DataType.FLOAT);
        TransferResult<MultiLayerNetwork> r = transfer(base).build();
        Path file = dir.resolve("a.nola");
        Adapter adapter = r.saveAdapter(file, WriteOptions.fp32());

        Path future = dir.resolve("future.nola");
        AdapterFiles.write(adapter.withTransferJson(adapter.transferJson().replace("\"version\":1", "\"version\":7")),
                future, WriteOptions.fp32());
        AdapterFormatException e = assertThrows(AdapterFormatException.class,
                () -> NolaTransfer.of(base).restore(future));
        assertTrue(e.getMessage().contains("version 7") && e.getMessage().contains(LibraryVersion.current())
                && e.getMessage().contains("later one"), e.getMessage());

        Path incomplete = dir.resolve("incomplete.nola");
        AdapterFiles.write(adapter.withTransferJson(adapter.transferJson().replace("\"trainable\":[\"bn1\"],", "")),
                incomplete, WriteOptions.fp32());
        AdapterFormatException e2 = assertThrows(AdapterFormatException.class,
                () -> NolaTransfer.of(base).restore(incomplete));
        assertTrue(e2.getMessage().contains("\"trainable\"") && e2.getMessage().contains("required"),
                e2.getMessage());
        assertTrue(Files.exists(file));
    }
}
