package io.github.nola4j.layers.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ParameterSnapshot} sees every change of its array's bits, also one made through another view of
 * the same buffer (a network's flat parameter array), and nothing outside the array.
 */
class ParameterSnapshotTest {

    /** @return a [1, 40] flat array and the [4, 5] C-ordered view of its elements 10..29, as DL4J's parameter views */
    private static INDArray[] flatAndView(DataType dataType) {
        INDArray flat = Nd4j.linspace(dataType, 1, 40, 40).reshape(1, 40);
        INDArray view = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(10, 30)).reshape('c', 4, 5);
        return new INDArray[] {flat, view};
    }

    @Test
    void seesWritesThroughTheFlatArrayAtTheViewsEdgesAndNothingOutside() {
        for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int index : new int[] {10, 17, 29}) {
                INDArray[] fv = flatAndView(dataType);
                ParameterSnapshot snapshot = ParameterSnapshot.of(fv[1]);
                assertTrue(snapshot.matches(fv[1]), dataType + ": unchanged");
                fv[0].putScalar(0, 9, -1.0);
                fv[0].putScalar(0, 30, -1.0);
                assertTrue(snapshot.matches(fv[1]), dataType + ": writes next to the view are not in it");
                double old = fv[0].getDouble(0, index);
                fv[0].putScalar(0, index, old);
                assertTrue(snapshot.matches(fv[1]), dataType + ": the same value written again");
                double oneUlpUp = dataType == DataType.FLOAT ? Math.nextUp((float) old) : Math.nextUp(old);
                fv[0].putScalar(0, index, oneUlpUp);
                assertFalse(snapshot.matches(fv[1]), dataType + ": element " + index + " changed by one ulp");
                fv[0].putScalar(0, index, old);
                assertTrue(snapshot.matches(fv[1]), dataType + ": element " + index + " written back");
            }
        }
    }

    @Test
    void seesInPlaceWritesOfTheViewAndOfNonContiguousArrays() {
        INDArray[] fv = flatAndView(DataType.FLOAT);
        ParameterSnapshot snapshot = ParameterSnapshot.of(fv[1]);
        fv[1].muli(-1);
        assertFalse(snapshot.matches(fv[1]), "view negated in place");

        INDArray column = Nd4j.linspace(DataType.DOUBLE, 1, 12, 12).reshape(3, 4).getColumn(2);
        ParameterSnapshot columnSnapshot = ParameterSnapshot.of(column);
        assertTrue(columnSnapshot.matches(column), "column unchanged");
        column.putScalar(1, 0.0);
        assertFalse(columnSnapshot.matches(column), "column element written");

        INDArray zero = Nd4j.zeros(DataType.FLOAT, 3);
        ParameterSnapshot zeroSnapshot = ParameterSnapshot.of(zero);
        zero.putScalar(1, -0.0);
        assertFalse(zeroSnapshot.matches(zero), "-0.0 has other bits than 0.0");
    }

    @Test
    void otherShapeOrDataTypeDoesNotMatch() {
        INDArray a = Nd4j.linspace(DataType.FLOAT, 1, 6, 6).reshape(2, 3);
        ParameterSnapshot snapshot = ParameterSnapshot.of(a);
        assertFalse(snapshot.matches(a.reshape(3, 2)), "same bits, other shape");
        assertFalse(snapshot.matches(a.dup('f')), "same values, other strides");
        assertFalse(snapshot.matches(a.castTo(DataType.DOUBLE)), "other data type");
        assertTrue(snapshot.matches(a.dup('c')), "an equal copy");
    }
}
