package io.github.nola4j.samples.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.nio.file.Path;

/**
 * A pretrained base.
 *
 * @param net      the base network
 * @param file     where it is saved
 * @param cached   true when it was loaded from {@code file} rather than trained now
 * @param accuracy test accuracy on the source classes, NaN when loaded from the cache
 * @param seconds  training (or loading) time
 */
public record PretrainResult(MultiLayerNetwork net, Path file, boolean cached, double accuracy, double seconds) {
}
