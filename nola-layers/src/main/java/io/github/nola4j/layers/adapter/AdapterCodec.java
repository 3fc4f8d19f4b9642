package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.CoefficientQuantization;
import io.github.nola4j.layers.NolaLayer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Adapter file format, version 2. All integers are unsigned big-endian, floats IEEE-754 binary32
 * big-endian.
 * <pre>
 *  offset      size  field
 *  0           8     magic "NOLA4JAD" (4E 4F 4C 41 34 4A 41 44)
 *  8           2     u16 format version = 2
 *  10          1     u8 parametrisation of α and β ({@link NolaLayer#PARAMETRISATION}), = "parametrisation"
 *                    of the configuration
 *  11          1     u8 flags: bit 0 = configuration is raw DEFLATE (RFC 1951); other bits 0
 *  12          4     u32 C = stored length of the configuration
 *  16          4     u32 R = length of the configuration JSON in UTF-8 (= C when not compressed)
 *  20          C     configuration JSON ({@link AdapterConfigJson}): generator id and version, base
 *                    fingerprint, coefficient bits, per layer name, type, W shape, bias, r, k, l,
 *                    scale, basis seed; extra tensor names and shapes
 *  20+C        4     u32 P = payload length
 *  24+C        P     payload: per layer in configuration order α (k values) then β (l values),
 *                    each one vector in the {@link CoefficientEncoding} (fp32: 4n bytes;
 *                    b bits: f32 scale + ceil(n·b/8) bytes of codes); then per extra tensor its
 *                    values in C order as f32
 *  24+C+P      4     u32 CRC-32 (java.util.zip.CRC32, ISO-HDLC) of bytes [0, 24+C+P)
 *  total = 28 + C + P bytes exactly
 * </pre>
 * Version 1 is the same but for bytes 10-11, a u16 of flags (so byte 10 is 0), and it has no
 * "parametrisation" in the configuration: its coefficients are in parametrisation 1. The reader
 * reads both versions and returns coefficients in {@link NolaLayer#PARAMETRISATION}, converted
 * with {@link NolaLayer#convertCoefficients} (same ΔW); the writer writes version 2.
 *
 * <p>The reader checks, in order: size, magic, version, parametrisation, flags, that C and P fit exactly in the file
 * (before allocating anything from them), the CRC, R against C (at most 1032·C + 64 when
 * compressed, DEFLATE's largest ratio), the JSON, that P equals what the JSON implies, and that
 * every value is finite. Each failure is an {@link AdapterFormatException}.
 */
public final class AdapterCodec {

    /** The 8 magic bytes, "NOLA4JAD". */
    static final byte[] MAGIC = "NOLA4JAD".getBytes(StandardCharsets.US_ASCII);
    /** The format version this class writes. */
    public static final int FORMAT_VERSION = 2;
    /** The format version of releases before parametrisation 2, still read. */
    public static final int FORMAT_VERSION_1 = 1;
    /** Format versions this class reads. */
    public static final List<Integer> READABLE_FORMAT_VERSIONS = List.of(FORMAT_VERSION_1, FORMAT_VERSION);
    /** Flag bit 0: the configuration is raw DEFLATE. */
    static final int FLAG_DEFLATED_CONFIG = 1;
    /** Bytes before the configuration. */
    static final int CONFIG_OFFSET = 20;
    /** Bytes of a file with an empty configuration and payload: header, P and CRC. */
    public static final int FIXED_BYTES = 28;
    /** Largest file this reader accepts (it reads the file into one array). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
    private static final int MAX_DEFLATE_RATIO = 1032;

    private AdapterCodec() {
    }

    /**
     * @return the adapter file bytes
     * @throws AdapterFormatException if a coefficient or tensor value is not finite
     */
    public static byte[] encode(Adapter adapter, WriteOptions options) {
        CoefficientEncoding enc = options.encoding();
        byte[] json = AdapterConfigJson.write(adapter, enc, false);
        byte[] config = options.compressConfig() ? deflate(json) : json;
        ByteArrayOutputStream payloadBytes = new ByteArrayOutputStream();
        try (DataOutputStream payload = new DataOutputStream(payloadBytes)) {
            for (LayerAdapter la : adapter.layers()) {
                AdapterApplier.requireFinite(la.name() + "/alpha", la.alpha());
                AdapterApplier.requireFinite(la.name() + "/beta", la.beta());
                writeVector(payload, la.alpha(), enc);
                writeVector(payload, la.beta(), enc);
            }
            for (ExtraTensor t : adapter.extraTensors()) {
                AdapterApplier.requireFinite(t.id(), t.values());
                writeFloats(payload, t.values());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream(FIXED_BYTES + config.length + payloadBytes.size());
        try (DataOutputStream out = new DataOutputStream(file)) {
            out.write(MAGIC);
            out.writeShort(FORMAT_VERSION);
            out.writeByte(NolaLayer.PARAMETRISATION);
            out.writeByte(options.compressConfig() ? FLAG_DEFLATED_CONFIG : 0);
            out.writeInt(config.length);
            out.writeInt(json.length);
            out.write(config);
            out.writeInt(payloadBytes.size());
            payloadBytes.writeTo(out);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(file.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toByteArray();
    }

    /**
     * @return the adapter in {@code file}, coefficients dequantised and in {@link NolaLayer#PARAMETRISATION}
     * @throws AdapterFormatException if the bytes are not a valid version-1 or version-2 adapter file
     */
    public static Adapter decode(byte[] file) {
        byte[] json = configJson(file);
        int parametrisation = parametrisation(file);
        AdapterConfigJson.Config cfg = AdapterConfigJson.read(json, u16(file, 8), parametrisation);
        int c = (int) u32(file, 12);
        int payloadStart = CONFIG_OFFSET + c + 4;
        int p = file.length - FIXED_BYTES - c;
        long expected = expectedPayload(cfg);
        if (expected != p) {
            throw new AdapterFormatException("payload has " + p + " bytes but the configuration implies " + expected
                    + " (layers, coefficients at " + cfg.encoding().bits() + " bits, extra tensors); the file is"
                    + " corrupt, write it again");
        }
        ByteBuffer in = ByteBuffer.wrap(file, payloadStart, p);
        List<LayerAdapter> layers = new ArrayList<>();
        for (AdapterConfigJson.LayerEntry e : cfg.layers()) {
            float[] alpha = readVector(in, e.k(), cfg.encoding(), e.name() + "/alpha");
            float[] beta = readVector(in, e.l(), cfg.encoding(), e.name() + "/beta");
            NolaLayer.convertCoefficients(alpha, beta, parametrisation, NolaLayer.PARAMETRISATION,
                    LayerAdapter.fanIn(e.weightShape()));
            layers.add(new LayerAdapter(e.name(), e.type(), e.weightShape(), e.hasBias(), e.rank(), e.k(), e.l(),
                    e.scale(), e.basisSeed(), alpha, beta));
        }
        List<ExtraTensor> extras = new ArrayList<>();
        for (AdapterConfigJson.TensorEntry e : cfg.tensors()) {
            float[] values = new float[(int) product(e.shape())];
            in.asFloatBuffer().get(values);
            in.position(in.position() + values.length * Float.BYTES);
            AdapterApplier.requireFinite(e.layer() + "/" + e.param(), values);
            extras.add(new ExtraTensor(e.layer(), e.param(), e.shape(), values));
        }
        return new Adapter(cfg.task(), cfg.generatorId(), cfg.generatorVersion(), cfg.baseFingerprint(), layers,
                extras, cfg.transferJson());
    }

    /**
     * Checks the framing and checksum of {@code file} and returns its configuration JSON.
     *
     * @throws AdapterFormatException as {@link #decode}
     */
    public static byte[] configJson(byte[] file) {
        if (file.length < FIXED_BYTES) {
            if (!Arrays.equals(file, 0, Math.min(file.length, MAGIC.length), MAGIC, 0,
                    Math.min(file.length, MAGIC.length))) {
                throw new AdapterFormatException("not a nola4j adapter: it does not start with the magic bytes"
                        + " \"NOLA4JAD\"");
            }
            throw new AdapterFormatException("adapter file is truncated: " + file.length + " bytes, but even an empty"
                    + " adapter has " + FIXED_BYTES + "; write it again");
        }
        if (!Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new AdapterFormatException("not a nola4j adapter: it starts with "
                    + Arrays.toString(Arrays.copyOf(file, MAGIC.length)) + " instead of the magic \"NOLA4JAD\"");
        }
        int version = u16(file, 8);
        if (!READABLE_FORMAT_VERSIONS.contains(version)) {
            throw new AdapterFormatException("adapter format version " + version + " is not supported: this nola4j"
                    + " reads format versions " + READABLE_FORMAT_VERSIONS + " (NOLA parametrisations "
                    + NolaLayer.KNOWN_PARAMETRISATIONS + "); use the nola4j release that wrote the file");
        }
        parametrisation(file);
        int flags = u16(file, 10) & (version == FORMAT_VERSION_1 ? 0xFFFF : 0xFF);
        if ((flags & ~FLAG_DEFLATED_CONFIG) != 0) {
            throw new AdapterFormatException("adapter flags 0x" + Integer.toHexString(flags) + " has unknown bits;"
                    + " only bit 0 (compressed configuration) is defined in version " + version);
        }
        long c = u32(file, 12);
        long r = u32(file, 16);
        long left = file.length - FIXED_BYTES;
        if (c > left) {
            throw new AdapterFormatException("declared configuration length " + c + " exceeds the " + left
                    + " bytes left in the file; the file is truncated or corrupt");
        }
        long p = u32(file, CONFIG_OFFSET + (int) c);
        if (p != left - c) {
            throw new AdapterFormatException("declared payload length " + p + " but " + (left - c) + " bytes are left"
                    + " before the checksum; the file is " + (p > left - c ? "truncated" : "followed by extra bytes")
                    + " or corrupt");
        }
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 4);
        long stored = u32(file, file.length - 4);
        if (crc.getValue() != stored) {
            throw new AdapterFormatException("adapter checksum mismatch: CRC-32 of the content is 0x"
                    + Long.toHexString(crc.getValue()) + ", the file says 0x" + Long.toHexString(stored)
                    + "; the file is corrupt or truncated, copy or write it again");
        }
        boolean deflated = (flags & FLAG_DEFLATED_CONFIG) != 0;
        if (!deflated) {
            if (r != c) {
                throw new AdapterFormatException("uncompressed configuration: declared length " + r + " differs from"
                        + " stored length " + c + "; the file is corrupt");
            }
            return Arrays.copyOfRange(file, CONFIG_OFFSET, CONFIG_OFFSET + (int) c);
        }
        if (r > MAX_DEFLATE_RATIO * c + 64) {
            throw new AdapterFormatException("declared configuration length " + r + " is more than DEFLATE can expand"
                    + " " + c + " bytes to; the file is corrupt");
        }
        return inflate(file, (int) c, (int) r);
    }

    /**
     * @return the parametrisation of the coefficients in {@code file}, whose magic and version are checked:
     * 1 for format version 1, byte 10 for version 2
     * @throws AdapterFormatException if this build does not know it
     */
    static int parametrisation(byte[] file) {
        if (u16(file, 8) == FORMAT_VERSION_1) {
            return NolaLayer.PARAMETRISATION_1;
        }
        int p = file[10] & 0xFF;
        if (!NolaLayer.KNOWN_PARAMETRISATIONS.contains(p)) {
            throw new AdapterFormatException("adapter parametrisation version " + p + " is not supported: this nola4j"
                    + " reads parametrisation versions " + NolaLayer.KNOWN_PARAMETRISATIONS + " (format versions "
                    + READABLE_FORMAT_VERSIONS + "); use the nola4j release that wrote the file");
        }
        return p;
    }

    /** @return Σ vector bytes of α and β plus 4 bytes per extra tensor value; overflow is a format error */
    static long expectedPayload(AdapterConfigJson.Config cfg) {
        try {
            long n = 0;
            for (AdapterConfigJson.LayerEntry e : cfg.layers()) {
                n = Math.addExact(n, cfg.encoding().vectorBytes(e.k()));
                n = Math.addExact(n, cfg.encoding().vectorBytes(e.l()));
            }
            for (AdapterConfigJson.TensorEntry e : cfg.tensors()) {
                n = Math.addExact(n, Math.multiplyExact(product(e.shape()), (long) Float.BYTES));
            }
            return n;
        } catch (ArithmeticException e) {
            throw new AdapterFormatException("declared sizes in the configuration overflow 64 bits; the file is"
                    + " corrupt", e);
        }
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void writeVector(DataOutputStream out, float[] v, CoefficientEncoding enc) throws IOException {
        if (!enc.isQuantized()) {
            writeFloats(out, v);
            return;
        }
        CoefficientQuantization.QuantizedVector q = CoefficientQuantization.quantize(v, enc.bits());
        out.writeFloat(q.scale());
        out.write(BitPacking.pack(q.codes(), enc.bits()));
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readVector(ByteBuffer in, int n, CoefficientEncoding enc, String id) {
        try {
            if (!enc.isQuantized()) {
                float[] v = new float[n];
                in.asFloatBuffer().get(v);
                in.position(in.position() + n * Float.BYTES);
                AdapterApplier.requireFinite(id, v);
                return v;
            }
            float scale = in.getFloat();
            if (!Float.isFinite(scale) || scale < 0) {
                throw new AdapterFormatException(id + ": quantisation scale = " + scale + " must be finite and >= 0;"
                        + " the adapter is corrupt or its training diverged");
            }
            int bytes = (int) BitPacking.packedBytes(n, enc.bits());
            int[] codes = BitPacking.unpack(in.array(), in.position(), n, enc.bits());
            in.position(in.position() + bytes);
            float[] v = CoefficientQuantization.dequantize(new CoefficientQuantization.QuantizedVector(enc.bits(), scale,
                    codes));
            AdapterApplier.requireFinite(id, v);
            return v;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new AdapterFormatException(id + ": payload ends early; the file is corrupt", e);
        }
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static byte[] inflate(byte[] file, int c, int r) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(file, CONFIG_OFFSET, c);
            byte[] out = new byte[r];
            int n = 0;
            while (n < r && !inf.finished()) {
                int got = inf.inflate(out, n, r - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != r || !(inf.finished() || probeEnd(inf))) {
                throw new AdapterFormatException("compressed configuration inflates to " + (inf.finished() ? n
                        : "more than " + n) + " bytes, not the declared " + r + "; the file is corrupt");
            }
            return out;
        } catch (DataFormatException e) {
            throw new AdapterFormatException("compressed configuration is not valid DEFLATE data (" + e.getMessage()
                    + "); the file is corrupt", e);
        } finally {
            inf.end();
        }
    }

    /** @return true if the stream ends without more output (r bytes were exactly the content) */
    private static boolean probeEnd(Inflater inf) throws DataFormatException {
        byte[] one = new byte[1];
        return inf.inflate(one) == 0 && inf.finished();
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
                | (b[off + 3] & 0xFF);
    }
}
