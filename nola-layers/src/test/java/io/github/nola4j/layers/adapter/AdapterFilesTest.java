package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Round trips through files: exact at fp32, the documented rounding at b bits, atomic writes. */
class AdapterFilesTest {

    @TempDir
    Path dir;

    @Test
    void fp32RoundTripReproducesTheTrainedNetworkOnAFreshBase() throws IOException {
        MultiLayerNetwork trained = TestNets.base(1, 3);
        TestNets.pretendTrained(trained, 7);
        Path file = dir.resolve("task" + AdapterFiles.EXTENSION);
        AdapterFiles.save(AdaptedNetwork.of(trained), file, "task", TestNets.HEAD, WriteOptions.fp32());

        MultiLayerNetwork fresh = TestNets.base(1, 3);
        INDArray x = TestNets.input(2);
        assertNotEquals(trained.output(x), fresh.output(x));
        AdapterFiles.load(AdaptedNetwork.of(fresh), file, LoadOptions.STRICT);
        assertArrayEquals(TestNets.params(trained), TestNets.params(fresh));
        assertEquals(trained.output(x), fresh.output(x));
    }

    @Test
    void quantizedRoundTripGivesTheDequantizedCoefficientsForEveryWidth() throws IOException {
        MultiLayerNetwork trained = TestNets.base(1, 3);
        TestNets.pretendTrained(trained, 8);
        Adapter a = AdapterCapture.capture(AdaptedNetwork.of(trained), "q", TestNets.HEAD);
        for (int bits = 2; bits <= 8; bits++) {
            Path file = dir.resolve("q" + bits + ".nola");
            AdapterFiles.write(file, a, WriteOptions.quantized(bits));
            Adapter back = AdapterFiles.read(file);
            for (int i = 0; i < a.layers().size(); i++) {
                assertArrayEquals(CoefficientQuantization.roundTrip(a.layers().get(i).alpha(), bits),
                        back.layers().get(i).alpha());
                assertArrayEquals(CoefficientQuantization.roundTrip(a.layers().get(i).beta(), bits),
                        back.layers().get(i).beta());
            }
            assertArrayEquals(a.extraTensors().get(0).values(), back.extraTensors().get(0).values(),
                    "extra tensors stay fp32");
        }
    }

    @Test
    void plainAndCompressedConfigurationsReadTheSame() {
        MultiLayerNetwork trained = TestNets.base(1, 3);
        TestNets.pretendTrained(trained, 9);
        Adapter a = AdapterCapture.capture(AdaptedNetwork.of(trained), "t", TestNets.HEAD);
        byte[] plain = AdapterCodec.encode(a, WriteOptions.quantized(4).plainConfig());
        byte[] packed = AdapterCodec.encode(a, WriteOptions.quantized(4));
        assertTrue(AdapterBytes.json(plain).contains("\"basis_seed\":11"), AdapterBytes.json(plain));
        assertArrayEquals(AdapterCodec.configJson(plain), AdapterCodec.configJson(packed));
        Adapter p = AdapterCodec.decode(plain);
        Adapter q = AdapterCodec.decode(packed);
        assertArrayEquals(p.layers().get(1).beta(), q.layers().get(1).beta());
        assertEquals(a.baseFingerprint(), q.baseFingerprint());
        assertEquals("t", q.task());
    }

    @Test
    void configurationJsonCanBeWrittenBeside() throws IOException {
        MultiLayerNetwork trained = TestNets.base(1, 3);
        Path file = dir.resolve("t.nola");
        AdapterFiles.save(AdaptedNetwork.of(trained), file, "t", TestNets.HEAD, WriteOptions.quantized(4));
        Path json = AdapterFiles.writeConfigBeside(file);
        String text = Files.readString(json);
        assertEquals(dir.resolve("adapter_config.json").toAbsolutePath(), json);
        assertTrue(text.contains("\"peft_type\" : \"NOLA\""), text);
        assertTrue(text.contains("\"bits\" : 4"), text);
        assertTrue(text.contains("\"name\" : \"conv\""), text);
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        MultiLayerNetwork net = TestNets.base(1, 3);
        Path file = dir.resolve("t.nola");
        AdapterFiles.save(AdaptedNetwork.of(net), file, "one", TestNets.HEAD, WriteOptions.fp32());
        TestNets.pretendTrained(net, 3);
        AdapterFiles.save(AdaptedNetwork.of(net), file, "two", TestNets.HEAD, WriteOptions.fp32());
        assertEquals("two", AdapterFiles.read(file).task());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void fingerprintIgnoresCoefficientsAndHeadButNotBaseWeights() {
        MultiLayerNetwork a = TestNets.base(1, 3);
        String before = AdaptedNetwork.of(a).fingerprint();
        TestNets.pretendTrained(a, 4);
        assertEquals(before, AdaptedNetwork.of(a).fingerprint());
        assertEquals(before, AdaptedNetwork.of(TestNets.base(1, 3)).fingerprint(), "same seed, same base");
        assertNotEquals(before, AdaptedNetwork.of(TestNets.base(2, 3)).fingerprint());
        assertTrue(before.matches("[0-9a-f]{64}"));
    }

    /** Saving fp32-trained coefficients at 4 bits says so, naming the worst vector; saving ones on the grid does not. */
    @Test
    void quantisingCoefficientsOffTheGridWarnsWithTheLargestChange() {
        float[] alpha = {0.10f, -0.33f, 0.71f, 0.05f};
        float[] beta = {0.2f, -0.4f, 0.6f};
        LayerAdapter offGrid = new LayerAdapter("conv1", "NolaConv2d", new long[] {4, 2, 3, 3}, true, 2, 4, 3,
                0.5, 7L, alpha, beta);
        Adapter fp32Trained = new Adapter("task", "gen", 1, "fp", List.of(offGrid), List.of());
        String warning = AdapterFiles.quantisationWarning(Path.of("task.nola"), fp32Trained, 4).orElseThrow();
        double alphaChange = CoefficientQuantization.largestChange(alpha, 4);
        double betaChange = CoefficientQuantization.largestChange(beta, 4);
        assertTrue(alphaChange / 0.71 > betaChange / 0.6, "alpha is the worse vector here");
        assertTrue(warning.contains("at 4 bits") && warning.contains("conv1 alpha") && warning.contains("quantizationBits(4)")
                && warning.contains(String.format(java.util.Locale.ROOT, "%.3g", alphaChange)), warning);

        LayerAdapter onGrid = offGrid.withCoefficients(CoefficientQuantization.roundTrip(alpha, 4),
                CoefficientQuantization.roundTrip(beta, 4));
        Adapter quantisationAware = new Adapter("task", "gen", 1, "fp", List.of(onGrid), List.of());
        assertTrue(AdapterFiles.quantisationWarning(Path.of("task.nola"), quantisationAware, 4).isEmpty());
        assertTrue(AdapterFiles.quantisationWarning(Path.of("task.nola"), quantisationAware, 2).isPresent(),
                "4-bit coefficients saved at 2 bits move");
    }
}
