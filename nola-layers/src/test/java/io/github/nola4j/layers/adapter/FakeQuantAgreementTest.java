package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Quantisation-aware training and the adapter files must quantise coefficients the same way. */
class FakeQuantAgreementTest {

    @Test
    void trainingFakeQuantMatchesFileQuantiser() {
        Nd4j.getRandom().setSeed(21);
        for (int bits = 2; bits <= 8; bits++) {
            for (int trial = 0; trial < 20; trial++) {
                INDArray v = Nd4j.randn(DataType.FLOAT, 1, 64).muli(trial + 1);
                float[] file = CoefficientQuantization.roundTrip(v.toFloatVector(), bits);
                float[] training = CoefficientQuantization.quantize(v, bits).toFloatVector();
                float step = CoefficientQuantization.quantize(v.toFloatVector(), bits).scale();
                for (int i = 0; i < file.length; i++) {
                    assertEquals(file[i], training[i], step * 1e-5, "bits " + bits + " index " + i);
                }
            }
        }
    }
}
