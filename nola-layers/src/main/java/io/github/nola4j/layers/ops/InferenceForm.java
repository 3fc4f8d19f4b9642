package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.HashCode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a low-rank layer's inference pass needs beside its input, made once and reused while W and the
 * factors hold their values:
 * <pre>
 *   convolution  K = W + s·ΔW as libnd4j's kernel [kH, kW, nIn, nOut], contiguous      z = conv(x, K) + b
 *   dense        the factors A [fanIn, r], s·B [r, nOut] (no merged weight)           z = x·W + b + (x·A)·(s·B)
 * </pre>
 * Both equal {@link LayerOperation#preOutput} with the same W and factors: the convolution's kernel is
 * the same sum, kept instead of being formed at every call. Whether W changed since is told by
 * {@link #weightHash}: libnd4j's 64-bit hash of W's bit patterns, one read of W instead of forming the
 * kernel again.
 */
public final class InferenceForm {

    private final LayerOperation operation;
    private final LowRankUpdate update;
    /** K for a convolution, null for a dense layer. */
    private final INDArray kernel;
    private final long weightHash;

    private InferenceForm(LayerOperation operation, LowRankUpdate update, INDArray kernel, long weightHash) {
        this.operation = operation;
        this.update = update;
        this.kernel = kernel;
        this.weightHash = weightHash;
    }

    /**
     * @param w      W in the layer's weight layout
     * @param update the layer's factors
     * @return the inference form, its arrays in the current workspace (make it outside the workspaces to keep it)
     */
    public static InferenceForm of(LayerOperation operation, INDArray w, LowRankUpdate update) {
        if (!(operation instanceof ConvOperation)) {
            return new InferenceForm(operation, update, null, 0L);
        }
        return new InferenceForm(operation, update, update.mergedKernel(w).dup('c'), weightHash(operation, w));
    }

    /** @return the hash this form's W had, compared by {@link #matches} */
    private static long weightHash(LayerOperation operation, INDArray w) {
        if (!(operation instanceof ConvOperation)) {
            return 0L; // the dense form does not depend on W
        }
        return Nd4j.exec(new HashCode(w))[0].getLong(0);
    }

    /** @return whether W (the layer's current weight) still has the bits this form was made from (dense: always) */
    public boolean matches(INDArray w) {
        return weightHash(operation, w) == weightHash;
    }

    /**
     * @param w    W in the layer's weight layout (read by the dense form)
     * @param bias [1, nOut] or null
     * @return z, as {@link LayerOperation#preOutput}(x, w, bias, update) computes it
     */
    public INDArray preOutput(INDArray x, INDArray w, INDArray bias) {
        if (kernel == null) {
            return operation.preOutput(x, w, bias, update);
        }
        return ((ConvOperation) operation).ops().forward(x, kernel, bias == null ? null : bias.reshape(bias.length()));
    }
}
