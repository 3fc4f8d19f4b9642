/**
 * The one coefficient quantiser, used by quantisation-aware training and by the adapter file's
 * 2-8 bit encoding alike, so the two round every value, ties included, the same way.
 */
package io.github.nola4j.layers.quantization;
