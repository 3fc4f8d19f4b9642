package io.github.nola4j.layers.network;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The BatchNorm running-statistics encoding, both ways, against DL4J's own inference forward. */
class BatchNormStatisticsTest {

    private static final double EPS = 1e-3;

    private static MultiLayerNetwork net(boolean useLogStd) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nOut(3).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().useLogStd(useLogStd).eps(EPS).build())
                .setInputType(InputType.feedForward(2)).build());
        net.init();
        return net;
    }

    @Test
    void storesVarianceOrLog10StdAndReadsBackWhatDl4jNormalisesWith() {
        INDArray mean = Nd4j.createFromArray(0.5, -1.0, 2.0);
        INDArray variance = Nd4j.createFromArray(0.25, 4.0, 0.01);
        for (boolean useLogStd : new boolean[] {false, true}) {
            MultiLayerNetwork net = net(useLogStd);
            Layer bn = net.getLayer(1);
            BatchNormStatistics.set(bn, mean, variance);
            assertEquals(mean, BatchNormStatistics.mean(bn).reshape(3));
            INDArray stored = bn.getParam(useLogStd ? "log10stdev" : "var").reshape(3);
            INDArray expectedStored = useLogStd ? Transforms.log(Transforms.sqrt(variance.add(EPS)), 10.0) : variance;
            assertEquals(expectedStored, stored, "useLogStd " + useLogStd);
            INDArray readBack = BatchNormStatistics.variance(bn).reshape(3);
            INDArray expectedBack = useLogStd ? variance.add(EPS) : variance;
            assertTrue(readBack.equalsWithEps(expectedBack, 1e-12), readBack + " vs " + expectedBack);

            INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 2);
            INDArray h = net.feedForward(x, false).get(1);
            INDArray gamma = bn.getParam("gamma");
            INDArray beta = bn.getParam("beta");
            INDArray manual = h.subRowVector(mean).divRowVector(Transforms.sqrt(readBack.add(EPS)))
                    .mulRowVector(gamma).addRowVector(beta);
            assertTrue(manual.equalsWithEps(net.output(x), 1e-10), "useLogStd " + useLogStd + ": DL4J inference"
                    + " normalises with sqrt(variance(layer) + eps)");
        }
    }

    @Test
    void refusesALayerThatIsNotBatchNorm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchNormStatistics.variance(net(false).getLayer(0)));
        assertTrue(e.getMessage().contains("not a BatchNormalization layer"), e.getMessage());
    }
}
