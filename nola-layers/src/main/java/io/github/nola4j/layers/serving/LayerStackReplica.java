package io.github.nola4j.layers.serving;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** A {@link NetworkReplica} of a MultiLayerNetwork: its layers in order, each after its input preprocessor. */
final class LayerStackReplica extends NetworkReplica {

    private final MultiLayerNetwork net;

    LayerStackReplica(MultiLayerNetwork net, FactorCache factors) {
        super(net.getLayers(), factors);
        this.net = net;
    }

    /** @return the replica's network (its parameters are the base's array) */
    MultiLayerNetwork network() {
        return net;
    }

    @Override
    INDArray[] output(INDArray[] inputs, RowGroups groups, List<ResidentAdapter> adapters) {
        INDArray a = inputs[0];
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pre != null) {
                a = pre.preProcess(a, (int) a.size(0), workspaces);
            }
            a = runLayer(layers[i], a, groups, adapters);
        }
        return new INDArray[] {a};
    }
}
