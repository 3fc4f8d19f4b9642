package io.github.nola4j.zoo.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small SameDiff graphs, data and checks for the graph adapter tests. */
final class GraphFixtures {

    static final String INPUT = "in";
    static final String LABEL = "label";
    static final String OUTPUT = "out";
    static final String LOSS = "loss";
    static final int CLASSES = 3;

    private GraphFixtures() {
    }

    /**
     * in [mb, 4] -&gt; tanh(in·w0 + b0) [mb, 6] -&gt; softmax(h·w1ᵀ + b1) [mb, 3], w0 [4, 6], w1 [3, 6] read
     * transposed (matmul with transposeB), loss = mean cross-entropy.
     */
    static SameDiff mlp(DataType dt) {
        Nd4j.getRandom().setSeed(1);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, dt, -1, 4);
        SDVariable w0 = sd.var("w0", Nd4j.randn(dt, 4, 6).muli(0.5));
        SDVariable b0 = sd.var("b0", Nd4j.randn(dt, 1, 6).muli(0.1));
        SDVariable w1 = sd.var("w1", Nd4j.randn(dt, CLASSES, 6).muli(0.5));
        SDVariable b1 = sd.var("b1", Nd4j.randn(dt, 1, CLASSES).muli(0.1));
        SDVariable h = sd.math().tanh(x.mmul(w0).add(b0));
        SDVariable logits = sd.mmul(h, w1, false, true, false).add(b1);
        return withSoftmaxLoss(sd, logits, dt);
    }

    /**
     * in [mb, 2, 5, 5] -&gt; tanh(conv2d(in, k YXIO [3, 3, 2, 4]) + cb) [mb, 4, 3, 3] -&gt; flatten [mb, 36]
     * -&gt; softmax(·wd + bd) [mb, 3], loss = mean cross-entropy.
     */
    static SameDiff conv(DataType dt) {
        Nd4j.getRandom().setSeed(2);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, dt, -1, 2, 5, 5);
        SDVariable k = sd.var("k", Nd4j.randn(dt, 3, 3, 2, 4).muli(0.3));
        SDVariable cb = sd.var("cb", Nd4j.randn(dt, 4).muli(0.1));
        SDVariable wd = sd.var("wd", Nd4j.randn(dt, 36, CLASSES).muli(0.2));
        SDVariable bd = sd.var("bd", Nd4j.randn(dt, 1, CLASSES).muli(0.1));
        SDVariable c = sd.cnn().conv2d(x, k, cb, Conv2DConfig.builder().kH(3).kW(3).build());
        SDVariable logits = sd.math().tanh(c).reshape(-1, 36).mmul(wd).add(bd);
        return withSoftmaxLoss(sd, logits, dt);
    }

    /**
     * in [mb, 4] -&gt; tanh(linear(in, w0 [4, 6], b0)) (xw_plus_b) -&gt; softmax((w1·hᵀ)ᵀ) [mb, 3], w1 [3, 6] the left
     * operand of a matmul with transposeB and transposeResult, loss = mean cross-entropy.
     */
    static SameDiff linearAndLeftOperand(DataType dt) {
        Nd4j.getRandom().setSeed(4);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, dt, -1, 4);
        SDVariable w0 = sd.var("w0", Nd4j.randn(dt, 4, 6).muli(0.5));
        SDVariable b0 = sd.var("b0", Nd4j.randn(dt, 6).muli(0.1));
        SDVariable w1 = sd.var("w1", Nd4j.randn(dt, CLASSES, 6).muli(0.5));
        SDVariable h = sd.math().tanh(sd.nn().linear(x, w0, b0));
        return withSoftmaxLoss(sd, sd.mmul(w1, h, false, true, true), dt);
    }

    private static SameDiff withSoftmaxLoss(SameDiff sd, SDVariable logits, DataType dt) {
        SDVariable label = sd.placeHolder(LABEL, dt, -1, CLASSES);
        SDVariable out = sd.nn().softmax(OUTPUT, logits, 1);
        sd.math().log(out).mul(label).sum(1).mean().neg().rename(LOSS);
        sd.setLossVariables(LOSS);
        return sd;
    }

    /** @return n examples of {@code featureShape} (without the batch axis), one-hot labels of 3 classes */
    static DataSet data(DataType dt, int n, long... featureShape) {
        Nd4j.getRandom().setSeed(3);
        long[] shape = new long[featureShape.length + 1];
        shape[0] = n;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        INDArray labels = Nd4j.zeros(dt, n, CLASSES);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % CLASSES, 1.0);
        }
        return new DataSet(Nd4j.randn(dt, shape), labels);
    }

    /** @return Adam at {@code rate} reading {@link #INPUT} and {@link #LABEL} from a DataSet */
    static TrainingConfig training(double rate) {
        return TrainingConfig.builder().updater(new Adam(rate)).dataSetFeatureMapping(INPUT)
                .dataSetLabelMapping(LABEL).build();
    }

    /** Trains {@code sd}'s adapter for {@code steps} full-batch steps of Adam at {@code rate}. */
    static void train(SameDiff sd, DataSet data, int steps, double rate) {
        sd.setTrainingConfig(training(rate));
        for (int i = 0; i < steps; i++) {
            sd.fit(data);
        }
    }

    /** @return the output of {@code sd} on {@code features} */
    static INDArray output(SameDiff sd, INDArray features) {
        return sd.output(Map.of(INPUT, features), OUTPUT).get(OUTPUT);
    }

    /** @return the mean loss of {@code sd} on {@code data} */
    static double loss(SameDiff sd, DataSet data) {
        return sd.output(Map.of(INPUT, data.getFeatures(), LABEL, data.getLabels()), LOSS).get(LOSS).getDouble(0);
    }

    /** @return copies of the arrays of every VARIABLE and CONSTANT of {@code sd} */
    static Map<String, INDArray> snapshot(SameDiff sd) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
                values.put(v.name(), v.getArr().dup());
            }
        }
        return values;
    }

    /** Asserts that {@code actual} has {@code expected}'s shape and the same bits in every value (C order). */
    static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        org.junit.jupiter.api.Assertions.assertEquals(expected.dataType(), actual.dataType(), what + ": data type");
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.dup('c').data().asDouble(),
                actual.dup('c').data().asDouble(), what + ": values differ");
    }

    /** Asserts max |actual - expected| &lt;= tolerance · max |expected|. */
    static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), Double.MIN_NORMAL);
        double error = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue();
        assertTrue(error <= tolerance * scale, what + ": max error " + error + " > " + tolerance + " x " + scale);
    }
}
