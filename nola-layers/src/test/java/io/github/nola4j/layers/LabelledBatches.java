package io.github.nola4j.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Small seeded training batches in double for the layer tests: 3 classes, features uniform in [-0.5, 0.5). */
final class LabelledBatches {

    private LabelledBatches() {
    }

    /**
     * @param inputShape the features' shape, examples first
     * @return features from ND4J's generator seeded with {@code seed}; example i has class (i + seed) mod 3
     */
    static DataSet batch(long seed, long... inputShape) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.DOUBLE, inputShape).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, inputShape[0], 3);
        for (int i = 0; i < inputShape[0]; i++) {
            y.putScalar(i, (i + seed) % 3, 1.0);
        }
        return new DataSet(x, y);
    }
}
