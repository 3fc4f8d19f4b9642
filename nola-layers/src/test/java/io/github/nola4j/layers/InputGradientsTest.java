package io.github.nola4j.layers;

import io.github.nola4j.layers.ops.TrainingPath;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static io.github.nola4j.layers.LabelledBatches.batch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Skipping the unused input gradient leaves every trained parameter bit-identical on the merged path
 * (the same conv2d_bp) and equal to 1e-12 in double on the factorised one (dA from im2col there).
 */
class InputGradientsTest {

    private static MultiLayerNetwork convThenDense(TrainingPath path) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new NolaConv2d.Builder().kernelSize(3, 3).nOut(6).rank(2).numBasesA(6).numBasesB(5)
                        .activation(Activation.TANH).build())
                .layer(new NolaDense.Builder().nOut(5).rank(2).numBasesA(4).numBasesB(4)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 3)).build());
        net.init();
        ((DirectLowRankLayer) net.getLayer(0)).setTrainingPath(path);
        return net;
    }

    /** Three batches made before any training (ND4J's seeded rand gave other values once a network had trained). */
    private static final List<DataSet> BATCHES = List.of(batch(0, 4, 3, 6, 6), batch(1, 4, 3, 6, 6),
            batch(2, 4, 3, 6, 6));

    private static double[] trainedParams(MultiLayerNetwork net) {
        for (DataSet d : BATCHES) {
            net.fit(d);
        }
        return net.params().dup().data().asDouble();
    }

    @Test
    void lowestLayerSkipsInputGradientAndTrainsTheSame() {
        for (TrainingPath path : new TrainingPath[] {TrainingPath.MERGED, TrainingPath.FACTORISED}) {
            MultiLayerNetwork full = convThenDense(path);
            MultiLayerNetwork skipping = convThenDense(path);
            assertEquals(1, InputGradients.skipUnused(skipping), path.toString());
            assertFalse(((DirectLowRankLayer) skipping.getLayer(0)).isInputGradientNeeded());
            assertTrue(((DirectLowRankLayer) skipping.getLayer(1)).isInputGradientNeeded());
            double[] expected = trainedParams(full);
            double[] actual = trainedParams(skipping);
            if (path == TrainingPath.MERGED) {
                assertArrayEquals(expected, actual, path.toString()); // the same conv2d_bp: bit-identical
            } else {
                // without input gradient the factorised dA comes from im2col and a GEMM, not conv2d_bp: the same
                // sums in another order, so equal to rounding
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-12 * Math.max(1.0, Math.abs(expected[i])), path + " [" + i + "]");
                }
            }

            InputGradients.computeAll(skipping);
            assertTrue(((DirectLowRankLayer) skipping.getLayer(0)).isInputGradientNeeded());
        }
    }

    private static ComputationGraph frozenThenNola(boolean frozen) {
        DenseLayer below = new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build();
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("in")
                .addLayer("below", frozen ? new FrozenLayerWithBackprop(below) : below, "in")
                .addLayer("nola", new NolaDense.Builder().nIn(4).nOut(5).rank(2).numBasesA(4).numBasesB(4)
                        .activation(Activation.TANH).build(), "below")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "nola")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    @Test
    void graphSkipsOnlyAboveFrozenLayersAndTrainsTheSame() {
        assertEquals(0, InputGradients.skipUnused(frozenThenNola(false)));
        ComputationGraph full = frozenThenNola(true);
        ComputationGraph skipping = frozenThenNola(true);
        assertEquals(1, InputGradients.skipUnused(skipping));
        List<DataSet> batches = List.of(batch(0, 6, 5), batch(1, 6, 5), batch(2, 6, 5));
        for (DataSet d : batches) {
            full.fit(d);
        }
        for (DataSet d : batches) {
            skipping.fit(d);
        }
        assertArrayEquals(full.params().dup().data().asDouble(), skipping.params().dup().data().asDouble());
    }
}
