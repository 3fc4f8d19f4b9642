/**
 * Pretraining (as an equivalent SameDiff graph, with a cached base per architecture, data set and
 * configuration), fine-tuning, evaluation with DL4J's Evaluation, and the stderr progress bars.
 */
package io.github.nola4j.samples.train;
