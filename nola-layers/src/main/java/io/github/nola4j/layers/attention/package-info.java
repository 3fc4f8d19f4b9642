/**
 * Adapters on DL4J's attention layers: an {@link io.github.nola4j.layers.attention.AttentionAdapter} wraps a
 * {@code SelfAttentionLayer} or {@code RecurrentAttentionLayer} ({@link io.github.nola4j.layers.attention.AdaptableAttention})
 * and adds s·ΔW to the projections chosen by {@link io.github.nola4j.layers.attention.AttentionProjection} (q and v by
 * default, as the paper's ViT runs): {@link io.github.nola4j.layers.attention.NolaAttention} with A and B mixtures of
 * frozen seeded bases ({@link io.github.nola4j.layers.NolaFactors}), {@link io.github.nola4j.layers.attention.LoraAttention}
 * with A and B trained in full (the baseline). The original's parameters keep their keys and stay frozen.
 *
 * <p>Depends on {@link io.github.nola4j.layers} (factors), {@link io.github.nola4j.layers.ops} and
 * {@link io.github.nola4j.layers.network}; nothing below it refers to it.
 */
package io.github.nola4j.layers.attention;
