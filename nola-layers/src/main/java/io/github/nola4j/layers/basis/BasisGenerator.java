package io.github.nola4j.layers.basis;

/**
 * The project's own portable random generator for NOLA bases.
 *
 * <p>Every value is a pure function of {@code (seed, stream, index)}, computed with integer
 * arithmetic and {@link StrictMath}, so it is bit-identical on every JVM, operating system, CPU
 * and ND4J backend, and in every future release that keeps {@link #ID} and {@link #VERSION}.
 * A saved adapter records both; a change to any formula below must bump {@link #VERSION}.
 *
 * <p>Definition (version 1):
 * <pre>
 *   mix(z)          = SplitMix64 finaliser (Stafford variant 13)
 *   key(seed, s)    = mix(mix(seed + G) + s * G)                  G = 0x9E3779B97F4A7C15
 *   u(key, n)       = ((mix(key + (n + 1) * G) &gt;&gt;&gt; 11) + 1) * 2^-53      in (0, 1]
 *   gaussian(key,i) = sqrt(-2 ln u(key, 2p)) * cos(2 pi u(key, 2p + 1))   for i = 2p
 *                   = sqrt(-2 ln u(key, 2p)) * sin(2 pi u(key, 2p + 1))   for i = 2p + 1
 * </pre>
 * so {@code gaussian} is a standard normal N(0, 1) sequence (Box-Muller) that can be read at any
 * index without generating the ones before it.
 */
public final class BasisGenerator {

    /** Identifier of this generator, recorded in adapter files. */
    public static final String ID = "nola4j-splitmix64-boxmuller";

    /** Version of the value definition above, recorded in adapter files. */
    public static final int VERSION = 1;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final double TWO_PI = 2.0 * StrictMath.PI;
    private static final double UNIT = 0x1.0p-53;

    private BasisGenerator() {
    }

    /** SplitMix64's output function: a bijective 64-bit mixer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * @param seed   user seed
     * @param stream independent stream number under that seed
     * @return the key of that stream, passed to {@link #gaussian} and {@link #uniform}
     */
    public static long key(long seed, long stream) {
        return mix(mix(seed + GOLDEN) + stream * GOLDEN);
    }

    /** @return a uniform double in (0, 1], the {@code index}-th of the stream {@code key} */
    public static double uniform(long key, long index) {
        return ((mix(key + (index + 1) * GOLDEN) >>> 11) + 1) * UNIT;
    }

    /** @return a standard normal double, the {@code index}-th of the stream {@code key} */
    public static double gaussian(long key, long index) {
        long pair = index >>> 1;
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log(uniform(key, 2 * pair)));
        double angle = TWO_PI * uniform(key, 2 * pair + 1);
        return (index & 1) == 0 ? radius * StrictMath.cos(angle) : radius * StrictMath.sin(angle);
    }
}
