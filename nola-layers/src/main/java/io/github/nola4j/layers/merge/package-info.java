/**
 * Merging NOLA layers into plain DL4J layers (W + s·A·B) for inference and export.
 */
package io.github.nola4j.layers.merge;
