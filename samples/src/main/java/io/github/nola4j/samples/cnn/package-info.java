/**
 * The base CNN of the reference experiment and its fine-tuning variants (head only, NOLA, full),
 * built with pretrained W and b copied by layer and parameter name. Stands in for nola-zoo's
 * NolaTransfer until that is available.
 */
package io.github.nola4j.samples.cnn;
