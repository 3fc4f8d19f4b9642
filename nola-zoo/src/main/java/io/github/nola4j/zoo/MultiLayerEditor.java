package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link NetworkEditor} of a {@link MultiLayerNetwork}. */
final class MultiLayerEditor extends NetworkEditor<MultiLayerNetwork> {

    private final MultiLayerConfiguration copy;

    MultiLayerEditor(MultiLayerNetwork source) {
        super(source, source.getLayers());
        this.copy = source.getLayerWiseConfigurations().clone();
    }

    @Override
    NeuralNetConfiguration editable(String name) {
        for (LayerRef ref : layers) {
            if (ref.name().equals(name)) {
                return copy.getConf(ref.index());
            }
        }
        throw new IllegalArgumentException("No layer named \"" + name + "\"; use one of "
                + TargetSelector.listing(layers));
    }

    @Override
    Map<String, org.deeplearning4j.nn.api.Layer> runtimeLayers(MultiLayerNetwork network) {
        return byName(network.getLayers());
    }

    @Override
    List<String> forwardOrder() {
        return layers.stream().map(LayerRef::name).toList();
    }

    /** @return the layers before the first trainable one: a MultiLayerNetwork is one path */
    @Override
    Set<String> withoutTrainableUpstream(Set<String> trains) {
        Set<String> before = new HashSet<>();
        for (LayerRef ref : layers) {
            if (trains.contains(ref.name())) {
                break;
            }
            before.add(ref.name());
        }
        return before;
    }

    /**
     * Nothing to do: {@code MultiLayerNetwork.calcBackpropGradients} stops at the first
     * {@code FrozenLayer} below the output, so no layer under it runs backward, with or without parameters.
     */
    @Override
    void skipInBackprop(String name) {
    }

    @Override
    String defaultHead() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i).numParams() > 0) {
                return layers.get(i).name();
            }
        }
        throw new IllegalArgumentException("The network has no layer with parameters to use as the head");
    }

    @Override
    void appendLossLayer(LossLayer loss) {
        NeuralNetConfiguration last = copy.getConf(copy.getConfs().size() - 1).clone();
        loss.setLayerName("nola_loss");
        last.setLayer(loss);
        last.clearVariables();
        copy.getConfs().add(last);
    }

    @Override
    void applyGlobal(FineTuneConfiguration fineTune) {
        fineTune.applyToMultiLayerConfiguration(copy);
    }

    @Override
    MultiLayerNetwork instantiate() {
        MultiLayerNetwork net = new MultiLayerNetwork(copy);
        net.init();
        return net;
    }
}
