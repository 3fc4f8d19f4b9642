package io.github.nola4j.layers.basis;

import java.nio.charset.StandardCharsets;

/**
 * Basis seeds derived from layer names, for layers that should not share bases (the official NOLA
 * code draws a seed per layer). Part of the generator definition ({@link BasisGenerator#VERSION}):
 * <pre>
 *   forLayer(seed, name) = h_n,  h_0 = key(seed, NAME_STREAM),  h_{i+1} = mix(h_i + (b_i + 1) * G)
 * </pre>
 * over the UTF-8 bytes b_0 .. b_{n-1} of the name (b_i in 0..255), so the value is the same on
 * every JVM and platform.
 */
public final class BasisSeeds {

    /** Generator stream of the name hash, apart from every {@link BasisRole} stream. */
    static final long NAME_STREAM = 4L << 40;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private BasisSeeds() {
    }

    /** @return the basis seed of the layer {@code name} under the family seed {@code seed} */
    public static long forLayer(long seed, String name) {
        long h = BasisGenerator.key(seed, NAME_STREAM);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = BasisGenerator.mix(h + ((b & 0xFF) + 1L) * GOLDEN);
        }
        return h;
    }
}
