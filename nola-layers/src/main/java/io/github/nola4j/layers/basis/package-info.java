/**
 * NOLA's parametrisation: the portable seeded generator of the frozen random bases, the
 * process-wide cache that shares them between layers, and
 * {@link io.github.nola4j.layers.basis.BasisMixture}, the mixtures A = Σ α·basis and
 * B = Σ β·basis (and their gradients) in ND4J and SameDiff.
 */
package io.github.nola4j.layers.basis;
