package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link FrozenForwardVertex}: DL4J's {@link FrozenVertex} (its backward pass skipped) that adds the
 * inputs of an ElementWiseVertex with {@code Op.Add} in one pass,
 * <pre>
 *   y = x₀ + x₁ (+ x₂ ...)      inputs of one shape and data type, summed in order
 * </pre>
 * where DL4J's vertex copies x₀ and then adds each input in place (two passes over the activations for
 * two inputs). Any other vertex, and inputs of different shapes or data types (DL4J broadcasts and casts
 * them), run as DL4J's.
 */
public class FrozenSumRuntime extends FrozenVertex {

    private final boolean sum;

    FrozenSumRuntime(GraphVertex underlying, org.deeplearning4j.nn.conf.graph.GraphVertex conf) {
        super(underlying);
        this.sum = conf instanceof ElementWiseVertex e && e.getOp() == ElementWiseVertex.Op.Add;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray[] in = getInputs();
        if (!sum || in == null || in.length < 2 || !alike(in)) {
            return super.doForward(training, workspaceMgr);
        }
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, in[0].dataType(), in[0].shape(),
                in[0].ordering());
        Nd4j.exec(new AddOp(in[0], in[1], y));
        for (int i = 2; i < in.length; i++) {
            y.addi(in[i]);
        }
        return y;
    }

    private static boolean alike(INDArray[] in) {
        for (INDArray x : in) {
            if (x == null || x.dataType() != in[0].dataType() || !x.equalShapes(in[0])) {
                return false;
            }
        }
        return true;
    }
}
