package io.github.nola4j.layers.adapter.format;

import java.util.Objects;

/**
 * Options for writing an adapter file.
 *
 * @param encoding       how α and β are stored (extra tensors are always binary32)
 * @param compressConfig store the configuration JSON raw-DEFLATE compressed (flag bit 0); it is
 *                       then readable through {@link io.github.nola4j.layers.adapter.AdapterFiles#readConfigJson AdapterFiles#readConfigJson} or
 *                       {@link io.github.nola4j.layers.adapter.AdapterFiles#writeConfigBeside AdapterFiles#writeConfigBeside}. Compression matters for many layers:
 *                       the JSON of 53 ResNet-50 layers is about 8 KB raw, about 1 KB compressed.
 */
public record WriteOptions(CoefficientEncoding encoding, boolean compressConfig) {

    public WriteOptions {
        Objects.requireNonNull(encoding, "encoding: use CoefficientEncoding.FP32 or CoefficientEncoding.quantized(4)");
    }

    /** @return binary32 coefficients, compressed configuration */
    public static WriteOptions fp32() {
        return new WriteOptions(CoefficientEncoding.FP32, true);
    }

    /** @return b-bit coefficients (b in [2, 8]), compressed configuration */
    public static WriteOptions quantized(int bits) {
        return new WriteOptions(CoefficientEncoding.quantized(bits), true);
    }

    /** @return these options with the configuration JSON stored as plain UTF-8 */
    public WriteOptions plainConfig() {
        return new WriteOptions(encoding, false);
    }
}
