package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Configuration of a parameterless graph vertex below every trainable layer: DL4J's {@link FrozenVertex}
 * (DL4J's backward pass skips it), whose runtime {@link FrozenSumRuntime} adds the inputs of an
 * ElementWiseVertex in one pass and runs any other vertex as DL4J's. A network saved with it loads with
 * it, and networks saved with DL4J's FrozenVertex still load as they were.
 */
public class FrozenForwardVertex extends FrozenVertex {

    public FrozenForwardVertex(@JsonProperty("underlying") GraphVertex underlying) {
        super(underlying);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                     INDArray paramsView, boolean initializeParams,
                                                                     DataType networkDatatype) {
        return new FrozenSumRuntime(getUnderlying().instantiate(graph, name, idx, paramsView, initializeParams,
                networkDatatype), getUnderlying());
    }

    @Override
    public GraphVertex clone() {
        return new FrozenForwardVertex(getUnderlying().clone());
    }
}
