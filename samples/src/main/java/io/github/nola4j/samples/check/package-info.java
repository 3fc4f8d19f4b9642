/**
 * The {@code gpu-check} command: the layer tests' core checks and the bench scenarios on the ND4J
 * backend the samples jar was built with.
 */
package io.github.nola4j.samples.check;
