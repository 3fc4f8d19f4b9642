/**
 * The layer configurations users build and their runtimes: {@link io.github.nola4j.layers.NolaDense}
 * and {@link io.github.nola4j.layers.NolaConv2d} add ΔW = s·A·B to a frozen weight, where A and B
 * are mixtures of frozen seeded random bases and only the mixture coefficients train
 * ({@link io.github.nola4j.layers.LoraDense} and {@link io.github.nola4j.layers.LoraConv2d} train A
 * and B directly). Their options ({@link io.github.nola4j.layers.LowRankOptions} and the NOLA and
 * convolution ones), the shared base {@link io.github.nola4j.layers.LowRankLayer}, and the two
 * runtimes that execute a layer ({@link io.github.nola4j.layers.LayerRuntime}: ND4J directly or a
 * SameDiff graph) live here; {@link io.github.nola4j.layers.InputGradients} switches off the input
 * gradient of the low-rank layers whose dL/dx nothing uses.
 *
 * <p>JSON: DL4J writes a layer configuration's full class name into network JSON, so the four
 * layer classes keep their names here for saved networks to load. Every field, inherited ones
 * included, is written by field name (no getters), so a configuration round-trips through DL4J's
 * {@code toJson()} / {@code fromJson()} and {@code ModelSerializer} exactly.
 *
 * <p>Below this package: {@link io.github.nola4j.layers.ops} (the operations and training steps),
 * {@link io.github.nola4j.layers.basis}, {@link io.github.nola4j.layers.quantization} and
 * {@link io.github.nola4j.layers.network}. Above it: {@link io.github.nola4j.layers.merge} and
 * {@link io.github.nola4j.layers.adapter}.
 */
package io.github.nola4j.layers;
