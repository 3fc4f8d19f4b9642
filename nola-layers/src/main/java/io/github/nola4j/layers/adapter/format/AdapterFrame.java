package io.github.nola4j.layers.adapter.format;

import io.github.nola4j.layers.NolaFactors;
import io.github.nola4j.layers.NolaLayer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The frame of an adapter file around its configuration and payload ({@link AdapterCodec} shows
 * the layout): the 20-byte header (magic, format version, parametrisation, flags, C, R), the
 * payload length P and the CRC-32 trailer. It writes a frame and checks one, in the order the
 * codec documents, before anything is allocated from a declared length.
 */
final class AdapterFrame {

    /** The 8 magic bytes, "NOLA4JAD". */
    static final byte[] MAGIC = "NOLA4JAD".getBytes(StandardCharsets.US_ASCII);
    /** The format version written. */
    static final int FORMAT_VERSION = 2;
    /** The format version of releases before parametrisation 2, still read. */
    static final int FORMAT_VERSION_1 = 1;
    /** Format versions read. */
    static final List<Integer> READABLE_FORMAT_VERSIONS = List.of(FORMAT_VERSION_1, FORMAT_VERSION);
    /** Flag bit 0: the configuration is raw DEFLATE. */
    static final int FLAG_DEFLATED_CONFIG = 1;
    /** Bytes before the configuration. */
    static final int CONFIG_OFFSET = 20;
    /** Bytes of a file with an empty configuration and payload: header, P and CRC. */
    static final int FIXED_BYTES = 28;

    private AdapterFrame() {
    }

    /**
     * @param config    the stored configuration (C bytes, deflated or not)
     * @param rawLength R, the length of the configuration JSON before compression
     * @return the whole file: header, configuration, P, payload and CRC-32
     */
    static byte[] write(byte[] config, int rawLength, boolean deflated, byte[] payload) {
        ByteArrayOutputStream file = new ByteArrayOutputStream(FIXED_BYTES + config.length + payload.length);
        try (DataOutputStream out = new DataOutputStream(file)) {
            out.write(MAGIC);
            out.writeShort(FORMAT_VERSION);
            out.writeByte(NolaLayer.PARAMETRISATION);
            out.writeByte(deflated ? FLAG_DEFLATED_CONFIG : 0);
            out.writeInt(config.length);
            out.writeInt(rawLength);
            out.write(config);
            out.writeInt(payload.length);
            out.write(payload);
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
     * Checks size, magic, version, parametrisation, flags, C and P against the file length, the CRC
     * and R against C, and returns the configuration JSON (inflated when compressed).
     *
     * @throws AdapterFormatException naming the first check that fails
     */
    static byte[] configJson(byte[] file) {
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
        int version = version(file);
        if (!READABLE_FORMAT_VERSIONS.contains(version)) {
            throw new AdapterFormatException("adapter format version " + version + " is not supported: this nola4j ("
                    + LibraryVersion.current() + ") reads format versions " + READABLE_FORMAT_VERSIONS
                    + " (NOLA parametrisations " + NolaFactors.KNOWN_PARAMETRISATIONS + "); read the file with the"
                    + " nola4j release that wrote it, or a later one");
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
        if ((flags & FLAG_DEFLATED_CONFIG) == 0) {
            if (r != c) {
                throw new AdapterFormatException("uncompressed configuration: declared length " + r + " differs from"
                        + " stored length " + c + "; the file is corrupt");
            }
            return Arrays.copyOfRange(file, CONFIG_OFFSET, CONFIG_OFFSET + (int) c);
        }
        return ConfigCompression.inflate(file, CONFIG_OFFSET, (int) c, r);
    }

    /** @return the u16 format version of a file at least 10 bytes long */
    static int version(byte[] file) {
        return u16(file, 8);
    }

    /** @return C, the stored configuration length, of a checked file */
    static int configLength(byte[] file) {
        return (int) u32(file, 12);
    }

    /**
     * @return the parametrisation of the coefficients in {@code file}, whose magic and version are checked:
     * 1 for format version 1, byte 10 for version 2
     * @throws AdapterFormatException if this build does not know it
     */
    static int parametrisation(byte[] file) {
        if (version(file) == FORMAT_VERSION_1) {
            return NolaLayer.PARAMETRISATION_1;
        }
        int p = file[10] & 0xFF;
        if (!NolaFactors.KNOWN_PARAMETRISATIONS.contains(p)) {
            throw new AdapterFormatException("adapter parametrisation version " + p + " is not supported: this nola4j"
                    + " reads parametrisation versions " + NolaFactors.KNOWN_PARAMETRISATIONS + " (format versions "
                    + READABLE_FORMAT_VERSIONS + "); use the nola4j release that wrote the file");
        }
        return p;
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
                | (b[off + 3] & 0xFF);
    }
}
