package io.github.nola4j.zoo;

/**
 * Which low-rank adapter {@link NolaTransfer} swaps into the selected layers.
 * Both write ΔW = s·A·B with A [fanIn, r] and B [r, nOut]; they differ in what trains.
 */
public enum AdapterKind {

    /**
     * NOLA ({@code NolaDense}, {@code NolaConv2d}): A = Σ αᵢ·Aᵢ and B = Σ βⱼ·Bⱼ over k and l frozen
     * seeded bases; only the k + l coefficients α, β train, and an adapter file holds just those.
     */
    NOLA,

    /**
     * LoRA ({@code LoraDense}, {@code LoraConv2d}): A and B themselves train, r·(fanIn + nOut)
     * values per layer; the basis seed seeds A's initial values and k, l are not used. Kept as the
     * baseline NOLA is measured against; its adapter file stores A and B in full, and it saves,
     * restores, banks and merges like a NOLA one.
     */
    LORA
}
