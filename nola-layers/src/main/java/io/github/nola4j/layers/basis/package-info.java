/**
 * The portable seeded generator of NOLA's frozen random bases, and the process-wide cache that
 * shares them between layers.
 */
package io.github.nola4j.layers.basis;
