/**
 * Serving many adapters from one base network at once.
 *
 * <p>{@link io.github.nola4j.layers.serving.MixedAdapterNetwork} runs one batch whose rows each name
 * their adapter (or {@link io.github.nola4j.layers.serving.MixedAdapterNetwork#BASE the base}): the frozen
 * products x·W and conv(x, W) run once for the whole batch, only the thin low-rank paths and the layers
 * an adapter replaces (its head) run per adapter group. Adapters are held resident
 * ({@link io.github.nola4j.layers.serving.ResidentAdapters}: their coefficients and extra tensors,
 * decoded once), their factors A and s·B are built on demand and kept in a byte-bounded LRU
 * ({@link io.github.nola4j.layers.serving.FactorCache}). Concurrent callers each run on a replica of the
 * network that shares the base's parameter buffer ({@link io.github.nola4j.layers.serving.NetworkReplica}).
 */
package io.github.nola4j.layers.serving;
