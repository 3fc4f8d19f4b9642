/**
 * NOLA on DL4J's attention layers: {@link io.github.nola4j.layers.attention.NolaAttention} wraps a
 * {@code SelfAttentionLayer}, {@code LearnedSelfAttentionLayer} or {@code RecurrentAttentionLayer} and adds
 * ΔW = s·A·B, with A and B mixtures of frozen seeded bases ({@link io.github.nola4j.layers.NolaFactors}), to
 * the projections chosen by {@link io.github.nola4j.layers.attention.AttentionProjection} (q and v by default,
 * as the paper's ViT runs). The original's parameters keep their keys and stay frozen.
 *
 * <p>Depends on {@link io.github.nola4j.layers} (factors), {@link io.github.nola4j.layers.ops} and
 * {@link io.github.nola4j.layers.network}; nothing below it refers to it.
 */
package io.github.nola4j.layers.attention;
