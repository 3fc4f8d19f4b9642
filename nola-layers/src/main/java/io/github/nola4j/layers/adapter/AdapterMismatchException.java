package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.AdapterException;

/**
 * A well-formed adapter does not fit the network it is applied to: another basis generator or
 * version, other layer names, shapes, rank, k, l, scale or basis seed, extra tensors the network
 * does not have, or a base whose fingerprint differs from the one the adapter was trained on.
 */
public class AdapterMismatchException extends AdapterException {

    public AdapterMismatchException(String message) {
        super(message);
    }
}
