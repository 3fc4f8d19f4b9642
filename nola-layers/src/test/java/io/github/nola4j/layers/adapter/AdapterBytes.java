package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.AdapterCodec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/** Test helper: takes adapter files apart and builds (possibly hostile) ones with a valid CRC. */
final class AdapterBytes {

    private AdapterBytes() {
    }

    /** @return the plain configuration JSON of an uncompressed-config file */
    static String json(byte[] file) {
        int c = ByteBuffer.wrap(file, 12, 4).getInt();
        return new String(file, 20, c, StandardCharsets.UTF_8);
    }

    /** @return the payload bytes */
    static byte[] payload(byte[] file) {
        int c = ByteBuffer.wrap(file, 12, 4).getInt();
        int p = ByteBuffer.wrap(file, 20 + c, 4).getInt();
        return Arrays.copyOfRange(file, 24 + c, 24 + c + p);
    }

    /** @return a file from raw parts, with a correct CRC; {@code flags} is the u16 at offset 10 (version 2: parametrisation, flags) */
    static byte[] build(int version, int flags, byte[] config, int declaredRaw, byte[] payload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write("NOLA4JAD".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // the file magic
            out.writeShort(version);
            out.writeShort(flags);
            out.writeInt(config.length);
            out.writeInt(declaredRaw);
            out.write(config);
            out.writeInt(payload.length);
            out.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return withCrc(Arrays.copyOf(bytes.toByteArray(), bytes.size() + 4));
    }

    /** @return a plain-config file with this JSON and payload */
    static byte[] build(String json, byte[] payload) {
        byte[] c = json.getBytes(StandardCharsets.UTF_8);
        return build(AdapterCodec.FORMAT_VERSION, NolaLayer.PARAMETRISATION << 8, c, c.length, payload);
    }

    /** Rewrites the last 4 bytes as the CRC-32 of the others. */
    static byte[] withCrc(byte[] file) {
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 4);
        ByteBuffer.wrap(file, file.length - 4, 4).putInt((int) crc.getValue());
        return file;
    }
}
