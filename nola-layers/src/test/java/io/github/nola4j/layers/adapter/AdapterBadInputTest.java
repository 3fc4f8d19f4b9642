package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.AdapterException;
import io.github.nola4j.layers.adapter.format.AdapterFormatException;
import io.github.nola4j.layers.adapter.format.WriteOptions;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile and broken files: each gives the right typed exception, never an OutOfMemoryError, and
 * never a partly applied adapter (every parameter is compared bit for bit after each failure).
 */
class AdapterBadInputTest {

    @TempDir
    Path dir;

    private final MultiLayerNetwork base = TestNets.base(1, 3);
    private final Adapter adapter = trainedAdapter();
    private final byte[] fp32Plain = AdapterCodec.encode(adapter, WriteOptions.fp32().plainConfig());
    private final byte[] q4Packed = AdapterCodec.encode(adapter, WriteOptions.quantized(4));

    private static Adapter trainedAdapter() {
        MultiLayerNetwork net = TestNets.base(1, 3);
        TestNets.pretendTrained(net, 21);
        return AdapterCapture.capture(AdaptedNetwork.of(net), "t", TestNets.HEAD);
    }

    private AdapterException rejected(Class<? extends AdapterException> type, byte[] file, String... words) {
        float[] before = TestNets.params(base);
        AdapterException e = (AdapterException) assertThrows(type, () ->
                AdapterApplier.apply(AdaptedNetwork.of(base), AdapterCodec.decode(file), LoadOptions.STRICT));
        assertArrayEquals(before, TestNets.params(base), "network changed by a failed load: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
        return e;
    }

    @Test
    void validFilesLoad() {
        AdapterApplier.apply(AdaptedNetwork.of(base), AdapterCodec.decode(fp32Plain), LoadOptions.STRICT);
        AdapterApplier.apply(AdaptedNetwork.of(base), AdapterCodec.decode(q4Packed), LoadOptions.STRICT);
    }

    @Test
    void truncationAtEveryLengthIsAFormatError() {
        for (byte[] file : new byte[][] {fp32Plain, q4Packed}) {
            for (int n = 0; n < file.length; n++) {
                rejected(AdapterFormatException.class, Arrays.copyOf(file, n));
            }
        }
    }

    @Test
    void truncatedFileOnDiskIsAFormatError() throws IOException {
        Path p = dir.resolve("cut.nola");
        Files.write(p, Arrays.copyOf(q4Packed, q4Packed.length / 2));
        float[] before = TestNets.params(base);
        assertThrows(AdapterFormatException.class, () -> AdapterFiles.load(AdaptedNetwork.of(base), p,
                LoadOptions.STRICT));
        assertArrayEquals(before, TestNets.params(base));
    }

    @Test
    void everySingleByteFlipIsAFormatError() {
        for (byte[] file : new byte[][] {fp32Plain, q4Packed}) {
            for (int i = 0; i < file.length; i++) {
                byte[] bad = file.clone();
                bad[i] ^= (byte) (1 << (i % 8));
                rejected(AdapterFormatException.class, bad);
            }
        }
    }

    @Test
    void randomMultiByteCorruptionIsAFormatError() {
        Random r = new Random(17);
        for (int trial = 0; trial < 500; trial++) {
            byte[] bad = q4Packed.clone();
            int changes = 1 + r.nextInt(8);
            boolean changed = false;
            for (int c = 0; c < changes; c++) {
                int i = r.nextInt(bad.length);
                byte v = (byte) r.nextInt(256);
                changed |= bad[i] != v;
                bad[i] = v;
            }
            if (changed) {
                rejected(AdapterFormatException.class, bad);
            }
        }
    }

    @Test
    void wrongMagicVersionAndFlagsAreNamed() {
        byte[] magic = fp32Plain.clone();
        magic[0] = 'X';
        rejected(AdapterFormatException.class, magic, "magic");
        rejected(AdapterFormatException.class, "PK\u0003\u0004".getBytes(), "magic");
        for (int version : new int[] {0, 3, 0xFFFF}) {
            byte[] v = fp32Plain.clone();
            ByteBuffer.wrap(v, 8, 2).putShort((short) version);
            rejected(AdapterFormatException.class, AdapterBytes.withCrc(v), "version " + version);
            rejected(AdapterFormatException.class, AdapterBytes.withCrc(v), "reads format versions [1, 2]");
        }
        for (int parametrisation : new int[] {0, 3, 0xFF}) {
            byte[] p = fp32Plain.clone();
            p[10] = (byte) parametrisation;
            rejected(AdapterFormatException.class, AdapterBytes.withCrc(p), "parametrisation version "
                    + parametrisation + " is not supported: this nola4j reads parametrisation versions [1, 2]");
        }
        byte[] header = fp32Plain.clone();
        header[10] = (byte) NolaLayer.PARAMETRISATION_1;
        rejected(AdapterFormatException.class, AdapterBytes.withCrc(header), "configuration parametrisation = 2 but"
                + " the header says 1");
        byte[] flags = fp32Plain.clone();
        flags[11] |= 4;
        rejected(AdapterFormatException.class, AdapterBytes.withCrc(flags), "flags");
    }

    @Test
    void nanAndInfiniteValuesAreRejectedEvenWithAValidChecksum() {
        String json = AdapterBytes.json(fp32Plain);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, 4 * (TestNets.K + 2), 4 * 2 * (TestNets.K + TestNets.L) + 4}) {
                byte[] payload = AdapterBytes.payload(fp32Plain);
                ByteBuffer.wrap(payload).putFloat(at, bad);
                rejected(AdapterFormatException.class, AdapterBytes.build(json, payload), String.valueOf(bad));
            }
        }
        byte[] q4 = AdapterCodec.encode(adapter, WriteOptions.quantized(4).plainConfig());
        byte[] payload = AdapterBytes.payload(q4);
        ByteBuffer.wrap(payload).putFloat(0, Float.NaN);
        rejected(AdapterFormatException.class, AdapterBytes.build(AdapterBytes.json(q4), payload), "scale");
    }

    @Test
    void hugeDeclaredLengthsAreCappedBeforeAllocating() {
        byte[] c = fp32Plain.clone();
        ByteBuffer.wrap(c, 12, 4).putInt(-1); // C = 4 GB - 1
        rejected(AdapterFormatException.class, AdapterBytes.withCrc(c), "configuration length");
        int cLen = ByteBuffer.wrap(fp32Plain, 12, 4).getInt();
        byte[] p = fp32Plain.clone();
        ByteBuffer.wrap(p, 20 + cLen, 4).putInt(Integer.MAX_VALUE);
        rejected(AdapterFormatException.class, AdapterBytes.withCrc(p), "payload length");
        byte[] r = q4Packed.clone();
        ByteBuffer.wrap(r, 16, 4).putInt(-1); // R = 4 GB - 1 from a small DEFLATE stream
        rejected(AdapterFormatException.class, AdapterBytes.withCrc(r), "declared configuration length");
        byte[] r2 = q4Packed.clone();
        ByteBuffer.wrap(r2, 16, 4).putInt(ByteBuffer.wrap(q4Packed, 16, 4).getInt() + 1);
        rejected(AdapterFormatException.class, AdapterBytes.withCrc(r2), "inflates");

        String json = AdapterBytes.json(fp32Plain);
        byte[] payload = AdapterBytes.payload(fp32Plain);
        rejected(AdapterFormatException.class, AdapterBytes.build(json.replaceFirst("\"k\":16", "\"k\":2147483647"),
                payload), "payload has");
        rejected(AdapterFormatException.class, AdapterBytes.build(json.replaceFirst("\"shape\":\\[[0-9, ]*]",
                "\"shape\":[2147483647,2147483647,2147483647,2147483647,2147483647,2147483647]"), payload), "overflow");
        rejected(AdapterFormatException.class, AdapterBytes.build(json.replaceFirst("\"k\":16", "\"k\":-1"),
                payload), "\"k\"");
    }

    @Test
    void malformedConfigurationsAreFormatErrors() {
        String json = AdapterBytes.json(fp32Plain);
        byte[] payload = AdapterBytes.payload(fp32Plain);
        rejected(AdapterFormatException.class, AdapterBytes.build("{not json", payload), "JSON");
        rejected(AdapterFormatException.class, AdapterBytes.build("[]", payload), "object");
        rejected(AdapterFormatException.class, AdapterBytes.build("[".repeat(100_000), payload), "nests");
        rejected(AdapterFormatException.class, AdapterBytes.build(json.replace("\"layers\"", "\"strata\""), payload),
                "\"layers\" is missing");
        rejected(AdapterFormatException.class, AdapterBytes.build(json.replace("\"bits\":32", "\"bits\":1"),
                payload), "bits");
        rejected(AdapterFormatException.class, AdapterBytes.build(json.replace("nola4j-adapter", "other"), payload),
                "format");
    }

    @Test
    void wellFormedAdapterForAnotherBaseOrShapeIsAMismatch() {
        MultiLayerNetwork other = TestNets.base(2, 3);
        byte[] file = AdapterCodec.encode(AdapterCapture.capture(AdaptedNetwork.of(other), "o", TestNets.HEAD),
                WriteOptions.quantized(4));
        rejected(AdapterMismatchException.class, file, "fingerprint");
        MultiLayerNetwork wider = TestNets.base(1, 3, 9);
        byte[] shape = AdapterCodec.encode(AdapterCapture.capture(AdaptedNetwork.of(wider), "w", TestNets.HEAD),
                WriteOptions.quantized(4));
        rejected(AdapterMismatchException.class, shape, "dense");
    }
}
