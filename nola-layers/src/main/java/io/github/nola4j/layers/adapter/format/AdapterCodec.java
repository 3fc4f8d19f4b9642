package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.List;

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
 *                    fingerprint, coefficient bits, library version, per layer name, kind, type, W
 *                    shape, bias, r, k, l, scale, basis seed; extra tensor names and shapes
 *  20+C        4     u32 P = payload length
 *  24+C        P     payload ({@link AdapterPayload}): per layer in configuration order α (k values)
 *                    then β (l values) (LoRA: A then B), each one vector in the
 *                    {@link CoefficientEncoding} (fp32: 4n bytes; b bits: f32 scale + ceil(n·b/8)
 *                    bytes of codes); then per extra tensor its values in C order as f32
 *  24+C+P      4     u32 CRC-32 (java.util.zip.CRC32, ISO-HDLC) of bytes [0, 24+C+P)
 *  total = 28 + C + P bytes exactly
 * </pre>
 * Version 1 is the same but for bytes 10-11, a u16 of flags (so byte 10 is 0), and it has no
 * "parametrisation" in the configuration: its coefficients are in parametrisation 1. The reader
 * reads both versions and returns coefficients in {@link NolaLayer#PARAMETRISATION}, converted
 * with {@link NolaLayer#convertCoefficients} (same ΔW); the writer writes version 2. Fields added
 * to the configuration within version 2 are optional, with the defaults {@link AdapterConfigJson}
 * documents, so files written before them still read.
 *
 * <p>The reader checks, in order ({@link AdapterFrame}): size, magic, version, parametrisation,
 * flags, that C and P fit exactly in the file (before allocating anything from them), the CRC, R
 * against C (at most 1032·C + 64 when compressed, DEFLATE's largest ratio), the JSON, that P
 * equals what the JSON implies, and that every value is finite. Each failure is an
 * {@link AdapterFormatException}.
 */
public final class AdapterCodec {

    private static final Logger log = LoggerFactory.getLogger(AdapterCodec.class);

    /** The 8 magic bytes, "NOLA4JAD". */
    static final byte[] MAGIC = AdapterFrame.MAGIC;
    /** The format version this class writes. */
    public static final int FORMAT_VERSION = AdapterFrame.FORMAT_VERSION;
    /** The format version of releases before parametrisation 2, still read. */
    public static final int FORMAT_VERSION_1 = AdapterFrame.FORMAT_VERSION_1;
    /** Format versions this class reads. */
    public static final List<Integer> READABLE_FORMAT_VERSIONS = AdapterFrame.READABLE_FORMAT_VERSIONS;
    /** Bytes of a file with an empty configuration and payload: header, P and CRC. */
    public static final int FIXED_BYTES = AdapterFrame.FIXED_BYTES;
    /** Largest file this reader accepts (it reads the file into one array). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private AdapterCodec() {
    }

    /**
     * @return the adapter file bytes; the configuration records {@link Adapter#libraryVersion()} when
     * it is not empty
     * @throws AdapterFormatException if a coefficient or tensor value is not finite
     */
    public static byte[] encode(Adapter adapter, WriteOptions options) {
        byte[] json = AdapterConfigJson.write(adapter, options.encoding(), false);
        byte[] config = options.compressConfig() ? ConfigCompression.deflate(json) : json;
        byte[] payload = AdapterPayload.write(adapter, options.encoding());
        return AdapterFrame.write(config, json.length, options.compressConfig(), payload);
    }

    /**
     * @return the adapter in {@code file}, coefficients dequantised and (NOLA) in {@link NolaLayer#PARAMETRISATION}
     * @throws AdapterFormatException if the bytes are not a valid version-1 or version-2 adapter file
     */
    public static Adapter decode(byte[] file) {
        byte[] json = configJson(file);
        int version = AdapterFrame.version(file);
        int parametrisation = AdapterFrame.parametrisation(file);
        AdapterConfigJson.Config cfg = AdapterConfigJson.read(json, version, parametrisation);
        int c = AdapterFrame.configLength(file);
        int p = file.length - FIXED_BYTES - c;
        long expected = AdapterPayload.expectedBytes(cfg);
        if (expected != p) {
            throw new AdapterFormatException("payload has " + p + " bytes but the configuration implies " + expected
                    + " (layers, coefficients at " + cfg.encoding().bits() + " bits, extra tensors); the file is"
                    + " corrupt, write it again");
        }
        ByteBuffer in = ByteBuffer.wrap(file, AdapterFrame.CONFIG_OFFSET + c + 4, p);
        List<LayerAdapter> layers = AdapterPayload.readLayers(in, cfg, parametrisation);
        List<ExtraTensor> extras = AdapterPayload.readExtras(in, cfg);
        log.debug("Read adapter \"{}\": format version {}, parametrisation {}, written by nola4j {}, {} layers, {}"
                        + " extra tensors", cfg.task(), version, parametrisation,
                cfg.libraryVersion().isEmpty() ? "(not recorded)" : cfg.libraryVersion(), layers.size(),
                extras.size());
        return new Adapter(cfg.task(), cfg.generatorId(), cfg.generatorVersion(), cfg.baseFingerprint(), layers,
                extras, cfg.transferJson(), cfg.libraryVersion());
    }

    /**
     * Checks the framing and checksum of {@code file} and returns its configuration JSON.
     *
     * @throws AdapterFormatException as {@link #decode}
     */
    public static byte[] configJson(byte[] file) {
        return AdapterFrame.configJson(file);
    }
}
