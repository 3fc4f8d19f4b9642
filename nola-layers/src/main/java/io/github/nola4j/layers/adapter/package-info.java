/**
 * NOLA adapters as files, task switching and merge in place.
 *
 * <p>An adapted network ({@link io.github.nola4j.layers.adapter.AdaptedNetwork}) is a base model
 * whose chosen layers are {@link io.github.nola4j.layers.NolaLayer}s. Its adapter
 * ({@link io.github.nola4j.layers.adapter.format.Adapter}) is the α and β of every NOLA layer plus,
 * optionally, extra layers saved in full (a new head, BatchNorm). Pieces, one concept each:
 * <ul>
 *   <li>{@link io.github.nola4j.layers.adapter.AdapterCapture}: network → adapter.</li>
 *   <li>{@link io.github.nola4j.layers.adapter.format.AdapterCodec}: adapter ↔ bytes (format and layout
 *       byte by byte), with {@link io.github.nola4j.layers.quantization.CoefficientQuantization} for 2-8 bit
 *       coefficients; {@link io.github.nola4j.layers.adapter.AdapterFiles}: atomic files.</li>
 *   <li>{@link io.github.nola4j.layers.adapter.AdapterApplier}: validate everything, then copy
 *       in; {@link io.github.nola4j.layers.adapter.BaseFingerprint} identifies the base.</li>
 *   <li>{@link io.github.nola4j.layers.adapter.AdapterBank}: many adapters, one base, switched by
 *       copying coefficients; {@link io.github.nola4j.layers.adapter.InPlaceMerger}: W ← W₀ + s·A·B
 *       and back, bit-exact.</li>
 * </ul>
 * Every failure is an {@link io.github.nola4j.layers.adapter.format.AdapterException}
 * ({@link io.github.nola4j.layers.adapter.format.AdapterFormatException} for bad bytes,
 * {@link io.github.nola4j.layers.adapter.AdapterMismatchException} for a wrong network), thrown
 * before anything in the network has changed.
 */
package io.github.nola4j.layers.adapter;
