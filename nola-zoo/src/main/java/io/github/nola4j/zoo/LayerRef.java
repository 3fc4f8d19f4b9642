package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * One layer of a network, as the selection sees it.
 *
 * @param name      layer name (vertex name in a ComputationGraph)
 * @param index     position in the network's layer order
 * @param conf      the layer's configuration (read only)
 * @param numParams number of parameters the layer holds
 */
public record LayerRef(String name, int index, Layer conf, long numParams) {

    /** @return "name (Type)", as listed in error messages */
    public String describe() {
        return name + " (" + conf.getClass().getSimpleName() + ")";
    }
}
