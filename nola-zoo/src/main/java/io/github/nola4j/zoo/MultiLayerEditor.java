package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
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
     * Wraps a ReLU or leaky-ReLU ActivationLayer without dropout, other than the first layer (whose x is the user's
     * features, which a frozen ReLU may overwrite as DL4J's frozen layer does), in a {@link FrozenForwardLayer}, whose
     * runtime runs it on libnd4j ({@link FrozenActivation}; DL4J's layer in a training step copies x first, as it
     * keeps x for a backward pass that never comes here); nothing else: {@code MultiLayerNetwork.calcBackpropGradients}
     * stops at the first {@code FrozenLayer} below the output, so no layer under it runs backward, with or without
     * parameters.
     */
    @Override
    void skipInBackprop(String name) {
        Layer layer = editable(name).getLayer();
        boolean first = layers.get(0).name().equals(name);
        if (!first && layer instanceof ActivationLayer a && a.getIDropout() == null
                && FrozenActivation.supports(a.getActivationFn())) {
            replace(name, new FrozenForwardLayer(layer.clone()));
        }
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
