/**
 * The adapter file format and the adapter value types it stores: {@link
 * io.github.nola4j.layers.adapter.format.Adapter} (per layer {@link
 * io.github.nola4j.layers.adapter.format.LayerAdapter}s of a {@link
 * io.github.nola4j.layers.adapter.format.LayerAdapterKind}, plus {@link
 * io.github.nola4j.layers.adapter.format.ExtraTensor}s), {@link
 * io.github.nola4j.layers.adapter.format.AdapterCodec} (adapter ↔ bytes: frame, JSON config,
 * payload, bit packing, coefficient encoding, config compression), {@link
 * io.github.nola4j.layers.adapter.format.WriteOptions}, atomic file writes and the library version
 * a file records. Bad bytes are an {@link io.github.nola4j.layers.adapter.format.AdapterFormatException},
 * an {@link io.github.nola4j.layers.adapter.format.AdapterException} like every adapter failure.
 *
 * <p>Knows nothing of networks: {@link io.github.nola4j.layers.adapter} builds on it.
 */
package io.github.nola4j.layers.adapter.format;
