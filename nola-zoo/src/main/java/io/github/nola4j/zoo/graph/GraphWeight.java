package io.github.nola4j.zoo.graph;

import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;
import java.util.List;

/**
 * A weight variable of a graph (a VARIABLE or CONSTANT with more than one value that some op consumes),
 * how its ops consume it and whether it can be adapted ({@link GraphWeights#scan}).
 *
 * @param name      the variable's name
 * @param shape     its shape
 * @param dataType  its data type
 * @param type      VARIABLE or CONSTANT
 * @param consumers the ops reading it, each as {@code "opInstance (opName, input i)"}
 * @param op        the kind of the first {@link WeightOp} reading it (adaptable or not), or null
 * @param layout    how it is consumed when it can be adapted, else null
 * @param reason    why it cannot be adapted, else null
 */
public record GraphWeight(String name, long[] shape, DataType dataType, VariableType type, List<String> consumers,
                          WeightOp op, WeightLayout layout, String reason) {

    public GraphWeight {
        shape = shape.clone();
        consumers = List.copyOf(consumers);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return true when {@link #layout} is known, so the weight can be rewritten */
    public boolean adaptable() {
        return layout != null;
    }

    /** @return e.g. {@code w1 [3, 5] VARIABLE <- matmul_1 (matmul, input 1)} */
    public String describe() {
        return name + " " + Arrays.toString(shape) + " " + type + " <- " + String.join(", ", consumers);
    }
}
