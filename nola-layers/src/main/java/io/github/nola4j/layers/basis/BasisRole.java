package io.github.nola4j.layers.basis;

/**
 * Which factor of ΔW = A·B a basis belongs to. The stream numbers are part of the generator
 * definition ({@link BasisGenerator#VERSION}) and must never change.
 */
public enum BasisRole {
    /** Bases A_i of the down-projection A, shape [fanIn, r]. */
    A(1),
    /** Bases B_j of the up-projection B, shape [r, nOut] (stored as [nOut, r]). */
    B(2),
    /** Initial values of the A coefficients α, uniform in [-1, 1). */
    ALPHA_INIT(3);

    private final long streamBase;

    BasisRole(long streamBase) {
        this.streamBase = streamBase;
    }

    /** @return the generator stream of basis number {@code basisIndex} of this role */
    public long stream(long basisIndex) {
        return (streamBase << 40) + basisIndex;
    }
}
