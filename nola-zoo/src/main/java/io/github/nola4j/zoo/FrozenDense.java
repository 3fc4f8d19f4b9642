package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen DL4J {@link DenseLayer} (without layer normalisation) with its input gradient only:
 * <pre>
 *   z = x·W + b,   y = act(z)               x [mb, nIn], W [nIn, nOut], y [mb, nOut]
 *   dL/dx = (act'(z) ⊙ dL/dy)·Wᵀ            no [nIn, nOut] gradient (DL4J's backward computes and drops it)
 * </pre>
 */
final class FrozenDense extends AffineFrozenComputation {

    private final Layer layer;

    FrozenDense(Layer layer) {
        super(((DenseLayer) layer.conf().getLayer()).getActivationFn());
        this.layer = layer;
    }

    /** @return true for DL4J's own DenseLayer without layer normalisation */
    static boolean supports(Layer inside) {
        return inside.getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class
                && inside.conf().getLayer().getClass() == DenseLayer.class
                && !((DenseLayer) inside.conf().getLayer()).hasLayerNorm();
    }

    private INDArray weight() {
        return layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
    }

    @Override
    INDArray preOutput(INDArray input) {
        INDArray w = weight();
        if (input.rank() != 2) {
            throw new IllegalArgumentException("Frozen DenseLayer \"" + layer.conf().getLayer().getLayerName()
                    + "\": input of shape " + java.util.Arrays.toString(input.shape()) + " is not [mb, nIn]; set the "
                    + "network's input type so that DL4J adds the preprocessor");
        }
        INDArray z = Nd4j.createUninitialized(w.dataType(), input.size(0), w.size(1));
        input.castTo(w.dataType()).mmuli(w, z);
        if (((DenseLayer) layer.conf().getLayer()).hasBias()) {
            z.addiRowVector(layer.getParam(DefaultParamInitializer.BIAS_KEY));
        }
        return z;
    }

    @Override
    INDArray inputGradientOf(INDArray input, INDArray delta) {
        return Nd4j.gemm(delta, weight(), false, true); // δ·Wᵀ, a transpose flag, no copy of W
    }

    @Override
    DataType dataType() {
        return weight().dataType();
    }
}
