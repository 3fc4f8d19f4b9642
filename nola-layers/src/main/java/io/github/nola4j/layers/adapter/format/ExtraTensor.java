package io.github.nola4j.layers.adapter.format;

import java.util.Arrays;

/**
 * A parameter saved in full with an adapter: the weights of a new trainable head, BatchNorm
 * gamma, beta, mean and variance, or any other parameter of a layer named by the caller.
 * Values are in C (row-major) order, stored as binary32.
 *
 * @param layer  layer name in the network
 * @param param  parameter key within that layer (e.g. "W", "b", "gamma", "mean")
 * @param shape  shape of the parameter
 * @param values product(shape) values in C order
 */
public record ExtraTensor(String layer, String param, long[] shape, float[] values) {

    public ExtraTensor {
        if (layer == null || param == null || shape == null || values == null) {
            throw new IllegalArgumentException("extra tensor " + layer + "/" + param + ": no field may be null");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("extra tensor " + layer + "/" + param + ": shape "
                        + Arrays.toString(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != values.length) {
            throw new IllegalArgumentException("extra tensor " + layer + "/" + param + ": shape "
                    + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
        }
    }

    /** @return "layer/param", the tensor's id in messages and in the configuration JSON */
    public String id() {
        return layer + "/" + param;
    }
}
