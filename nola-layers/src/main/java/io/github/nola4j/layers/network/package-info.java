/**
 * Rules over whole DL4J networks, independent of the NOLA layers: which parameters train
 * ({@link io.github.nola4j.layers.network.Trainability}, the one trainability rule) and the one
 * encoding of BatchNorm running statistics ({@link io.github.nola4j.layers.network.BatchNormStatistics}).
 */
package io.github.nola4j.layers.network;
