/**
 * Fashion-MNIST loading: IDX files (plain or gzipped), image folders, the subset shipped in the jar,
 * class filtering and per-class shot sampling. Malformed input is an
 * {@link io.github.nola4j.samples.data.InvalidDataException} naming the file, the problem and the fix.
 */
package io.github.nola4j.samples.data;
