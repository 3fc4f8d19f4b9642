package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Golden files, kept forever in src/test/resources/adapter/: format version 1 (parametrisation 1)
 * written by the first release and version 2 (parametrisation 2) written by this one. Every later
 * release must read them to the same values (version 1 converted to parametrisation 2:
 * α·sqrt(3/fanIn), β·sqrt(3)), and write the plain-configuration version-2 one byte for byte
 * (compressed output may differ between zlib builds). Write new ones only for a new version
 * ({@link #main}), never to make a test pass.
 */
class GoldenFileTest {

    private static final String V1_PLAIN_Q4 = "golden-v1-q4-plain.nola";
    private static final String V1_DEFLATED_FP32 = "golden-v1-fp32-deflated.nola";
    private static final String PLAIN_Q4 = "golden-v2-q4-plain.nola";
    private static final String DEFLATED_FP32 = "golden-v2-fp32-deflated.nola";
    /** fanIn of the two layers of {@link #expected}: conv W [4, 1, 3, 3] and dense W [64, 6]. */
    private static final long[] FAN_IN = {9, 64};

    /** The adapter in the golden files: fixed values, no network needed. */
    static Adapter expected() {
        LayerAdapter conv = new LayerAdapter("conv", "NolaConv2d", new long[] {4, 1, 3, 3}, true, 2, 5, 3, 0.5, 11,
                new float[] {1f, -0.5f, 0.25f, 0f, 0.875f}, new float[] {-0.75f, 0.5f, 0.125f});
        LayerAdapter dense = new LayerAdapter("dense", "NolaDense", new long[] {64, 6}, false, 2, 2, 4, 0.25, -7,
                new float[] {0.5f, -1f}, new float[] {0f, 0f, 0.3f, -0.6f});
        ExtraTensor head = new ExtraTensor("head", "b", new long[] {1, 3}, new float[] {0.1f, -0.2f, 0.3f});
        return new Adapter("golden", "nola4j-splitmix64-boxmuller", 1, "0123456789abcdef".repeat(4),
                List.of(conv, dense), List.of(head));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GoldenFileTest.class.getResourceAsStream("/adapter/" + name)) {
            assertNotNull(in, "missing test resource adapter/" + name);
            return in.readAllBytes();
        }
    }

    /** β = (-0.75, 0.5, 0.125) at 4 bits: scale 0.75/7, codes (-7, 5, 1). */
    private static float[] convBetaAt4Bits() {
        float s = (float) (0.75 / 7);
        return new float[] {(float) (-7 * (double) s), (float) (5 * (double) s), (float) (1 * (double) s)};
    }

    @Test
    void plainQuantizedGoldenFileReadsAndIsWrittenByteForByte() throws IOException {
        byte[] golden = resource(PLAIN_Q4);
        assertArrayEquals(golden, AdapterCodec.encode(expected(), WriteOptions.quantized(4).plainConfig()));
        Adapter a = AdapterCodec.decode(golden);
        assertArrayEquals(CoefficientQuantization.roundTrip(expected().layers().get(0).alpha(), 4),
                a.layers().get(0).alpha());
        assertArrayEquals(convBetaAt4Bits(), a.layers().get(0).beta());
        assertEquals(-7, a.layers().get(1).basisSeed());
    }

    @Test
    void deflatedFp32GoldenFileReadsExactly() throws IOException {
        Adapter a = AdapterCodec.decode(resource(DEFLATED_FP32));
        Adapter e = expected();
        assertEquals(e.task(), a.task());
        assertEquals(e.baseFingerprint(), a.baseFingerprint());
        for (int i = 0; i < 2; i++) {
            assertEquals(e.layers().get(i).describe(), a.layers().get(i).describe());
            assertArrayEquals(e.layers().get(i).alpha(), a.layers().get(i).alpha());
            assertArrayEquals(e.layers().get(i).beta(), a.layers().get(i).beta());
        }
        assertArrayEquals(e.extraTensors().get(0).values(), a.extraTensors().get(0).values());
    }

    @Test
    void version1FilesReadConvertedToTheCurrentParametrisation() throws IOException {
        Adapter q4 = AdapterCodec.decode(resource(V1_PLAIN_Q4));
        assertConverted(CoefficientQuantization.roundTrip(expected().layers().get(0).alpha(), 4), convBetaAt4Bits(),
                FAN_IN[0], q4.layers().get(0));
        Adapter fp32 = AdapterCodec.decode(resource(V1_DEFLATED_FP32));
        Adapter e = expected();
        for (int i = 0; i < 2; i++) {
            assertEquals(e.layers().get(i).describe(), fp32.layers().get(i).describe());
            assertConverted(e.layers().get(i).alpha(), e.layers().get(i).beta(), FAN_IN[i], fp32.layers().get(i));
        }
        assertArrayEquals(e.extraTensors().get(0).values(), fp32.extraTensors().get(0).values());
        // written again, a version-1 adapter becomes a version-2 file that reads to the same values
        Adapter again = AdapterCodec.decode(AdapterCodec.encode(fp32, WriteOptions.fp32()));
        assertArrayEquals(fp32.layers().get(1).alpha(), again.layers().get(1).alpha());
    }

    /** α' = α·sqrt(3/fanIn), β' = β·sqrt(3), computed here independently of the library. */
    private static void assertConverted(float[] alpha, float[] beta, long fanIn, LayerAdapter actual) {
        for (int i = 0; i < alpha.length; i++) {
            assertEquals(alpha[i] * Math.sqrt(3.0 / fanIn), actual.alpha()[i], 1e-6, "alpha " + i);
        }
        for (int j = 0; j < beta.length; j++) {
            assertEquals(beta[j] * Math.sqrt(3.0), actual.beta()[j], 1e-6, "beta " + j);
        }
    }

    /**
     * Writes the golden files of the current version once, for a new format version only (never to
     * make a test pass): run as a main class on the test class path from the nola-layers directory.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of("src/test/resources/adapter");
        Files.write(dir.resolve(PLAIN_Q4), AdapterCodec.encode(expected(), WriteOptions.quantized(4).plainConfig()));
        Files.write(dir.resolve(DEFLATED_FP32), AdapterCodec.encode(expected(), WriteOptions.fp32()));
    }
}
