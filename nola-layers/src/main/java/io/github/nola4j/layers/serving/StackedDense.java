package io.github.nola4j.layers.serving;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A dense layer that the groups' adapters replace in full (a task's head, say) run for all G groups of a batch at
 * once, instead of once per group with each group's parameters copied into the layer:
 * <pre>
 *   H = x·[W_1 … W_G] + [b_1 … b_G]             [mb, G·nOut]  one product over the whole batch
 *   z[row] = H[row, block g(row)]                [mb, nOut]    each row's own group's block, one row pull
 *   y = act(z)
 * </pre>
 * Each row keeps only its own group's block, x·W_g + b_g, as its adapter alone gives it (up to the product's
 * summation order). The blocks are picked as rows of H as [mb·G, nOut] ({@link BlockCopy#rows}), instead of the
 * former mask M [mb, G] (a broadcast multiply, a sum over blocks, M·[b_1; …; b_G] and its add). Used for
 * DL4J's {@link DenseLayer} and {@link OutputLayer} without layer normalisation, whose inference is
 * act(x·W + b); the extra work, G·nOut columns for every row, is small beside the layers before it while the
 * layer is a head. Groups of the base (a null adapter) and parameters an adapter leaves out use the shared
 * layer's values.
 */
final class StackedDense {

    private static final Set<String> PARAMS = Set.of(DefaultParamInitializer.WEIGHT_KEY,
            DefaultParamInitializer.BIAS_KEY);

    private StackedDense() {
    }

    /** @return true if {@code layer} is one this class runs: a DenseLayer or OutputLayer with W and b, no layer norm */
    static boolean runs(Layer layer) {
        Object conf = layer.conf().getLayer();
        boolean dense = conf.getClass() == DenseLayer.class && !((DenseLayer) conf).hasLayerNorm()
                || conf.getClass() == OutputLayer.class;
        return dense && layer.paramTable().keySet().equals(PARAMS);
    }

    /**
     * @param shared   the shared layer (its W [nIn, nOut] and b [1, nOut] are the base's, only read)
     * @param x        its input [mb, nIn], rows in gathered order
     * @param groups   the row groups
     * @param adapters the adapter of each group, null for the base
     * @return act(z) [mb, nOut]
     */
    static INDArray forward(Layer shared, String name, INDArray x, List<RowGroups.Group> groups,
                            List<ResidentAdapter> adapters) {
        INDArray w = shared.getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray b = shared.getParam(DefaultParamInitializer.BIAS_KEY);
        long nIn = w.size(0);
        long nOut = w.size(1);
        int g = groups.size();
        long mb = x.size(0);
        INDArray weights = Nd4j.createUninitialized(w.dataType(), nIn, g * nOut);
        INDArray biases = Nd4j.createUninitialized(w.dataType(), 1, g * nOut);
        int[] ownBlock = new int[(int) mb];
        for (int i = 0; i < g; i++) {
            Map<String, INDArray> own = adapters.get(i) == null ? Map.of() : adapters.get(i).extras(name);
            BlockCopy.into(weights, 0, i * nOut, own.getOrDefault(DefaultParamInitializer.WEIGHT_KEY, w), false);
            INDArray bias = own.getOrDefault(DefaultParamInitializer.BIAS_KEY, b);
            BlockCopy.into(biases, 0, i * nOut, bias.rank() == 2 ? bias : bias.reshape(1, nOut), false);
            for (int row = groups.get(i).start(); row < groups.get(i).end(); row++) {
                ownBlock[row] = row * g + i;
            }
        }
        INDArray h = Nd4j.createUninitialized(w.dataType(), mb, g * nOut);   // c order: [mb·G, nOut] is a view
        Nd4j.gemm(x, weights, h, false, false, 1.0, 0.0);
        h.addiRowVector(biases);
        INDArray z = BlockCopy.rows(h.reshape('c', mb * g, nOut), ownBlock);
        return ((BaseLayer) shared.conf().getLayer()).getActivationFn().getActivation(z, false);
    }
}
