package io.github.nola4j.layers.adapter;

/**
 * Options for applying an adapter to a network.
 *
 * @param allowDifferentBase apply even when the base fingerprint differs from the one the adapter
 *                           was trained on (e.g. a re-exported or fine-tuned copy of the base),
 *                           on purpose; shapes and every other check still apply
 */
public record LoadOptions(boolean allowDifferentBase) {

    /** Every check, including the base fingerprint. */
    public static final LoadOptions STRICT = new LoadOptions(false);

    /** Every check except the base fingerprint. */
    public static final LoadOptions ALLOW_DIFFERENT_BASE = new LoadOptions(true);
}
