package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.AdapterConfigJson;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Fingerprint of the frozen base weights an adapter was trained on: SHA-256, written as 64
 * lower-case hex digits, over this byte string (scheme {@value #SCHEME}, all integers big-endian):
 * <pre>
 *   "nola4j-base-fp-v1"                      17 ASCII bytes
 *   u32 number of adapted weights ({@link AdaptedNetworkWeight}: one per NOLA or LoRA layer, one per attention projection)
 *   per adapted weight, in network order (name: the layer's, or "layer/Wq", ...):
 *     u32 byte length of the name, name in UTF-8
 *     tensor(W), then u8 hasBias, then tensor(b) if hasBias
 *   tensor(t) = u8 rank, rank × i64 dims, then every value in C (row-major) order as an IEEE-754
 *               binary32 (values of a double network are first rounded to float)
 * </pre>
 * It depends only on layer names, shapes and the binary32 values of W and b: not on the array
 * ordering in memory, the ND4J backend, the coefficients, or the layers that are not NOLA layers
 * (a new head is part of the adapter, not of the base). Merging an adapter into W changes it.
 */
public final class BaseFingerprint {

    /** Name and version of the definition above. */
    public static final String SCHEME = AdapterConfigJson.FINGERPRINT_SCHEME;

    private static final int CHUNK = 1 << 16;

    private BaseFingerprint() {
    }

    /**
     * @return the fingerprint of the given adapted weights, in the given order: each as a "layer" named by its
     * entry name ({@link AdaptedNetworkWeight#name()}), so a network of NOLA and LoRA layers has the fingerprint it had
     * before attention projections could be adapted
     */
    public static String of(List<AdaptedNetworkWeight> weights) {
        MessageDigest sha = sha256();
        sha.update(SCHEME.getBytes(StandardCharsets.US_ASCII));
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(weights.size()).array());
        for (AdaptedNetworkWeight weight : weights) {
            byte[] name = weight.name().getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(name.length).array());
            sha.update(name);
            tensor(sha, weight.weight());
            INDArray bias = weight.bias();
            sha.update((byte) (bias != null ? 1 : 0));
            if (bias != null) {
                tensor(sha, bias);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The fingerprint of named frozen weights that have no bias, in the map's iteration order (pass a
     * {@code LinkedHashMap}): the scheme above with each weight as a layer of that name and hasBias = 0.
     * nola-zoo's graph adapter fingerprints the weights it adapts in a SameDiff graph with it.
     *
     * @param weights weight name to its frozen values (any shape and floating-point type)
     */
    public static String ofWeights(Map<String, INDArray> weights) {
        MessageDigest sha = sha256();
        sha.update(SCHEME.getBytes(StandardCharsets.US_ASCII));
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(weights.size()).array());
        for (Map.Entry<String, INDArray> e : weights.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(name.length).array());
            sha.update(name);
            tensor(sha, e.getValue());
            sha.update((byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void tensor(MessageDigest sha, INDArray t) {
        long[] shape = t.shape();
        ByteBuffer head = ByteBuffer.allocate(1 + Long.BYTES * shape.length);
        head.put((byte) shape.length);
        for (long d : shape) {
            head.putLong(d);
        }
        sha.update(head.array());
        float[] values = AdaptedNetwork.toFloatC(t);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * Float.BYTES);
        for (int start = 0; start < values.length; start += CHUNK) {
            buf.clear();
            int end = Math.min(values.length, start + CHUNK);
            for (int i = start; i < end; i++) {
                buf.putFloat(values[i]);
            }
            sha.update(buf.array(), 0, buf.position());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
