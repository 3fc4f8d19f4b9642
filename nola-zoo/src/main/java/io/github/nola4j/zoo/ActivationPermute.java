package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * An input preprocessor that changes convolutional activations from one layout to the other, one copy:
 * <pre>
 *   NCHW → NHWC:  y[b, i, j, c] = x[b, c, i, j]     (permute 0, 2, 3, 1)
 *   NHWC → NCHW:  y[b, c, i, j] = x[b, i, j, c]     (permute 0, 3, 1, 2)
 * </pre>
 * and its backward pass the inverse permutation of the gradient. {@link NhwcRebuild} puts one NCHW → NHWC
 * before the layers that read the user's NCHW input, and one NHWC → NCHW before DL4J's
 * {@code CnnToFeedForwardPreProcessor}, so dense layers flatten in DL4J's NCHW order and keep their weights.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class ActivationPermute implements InputPreProcessor {

    private static final long serialVersionUID = 1L;

    private CNN2DFormat from = CNN2DFormat.NCHW;
    private CNN2DFormat to = CNN2DFormat.NHWC;

    /** NCHW to NHWC (the form JSON deserialisation starts from). */
    public ActivationPermute() {
    }

    /** @throws IllegalArgumentException unless the two layouts differ */
    public ActivationPermute(CNN2DFormat from, CNN2DFormat to) {
        if (from == null || to == null || from == to) {
            throw new IllegalArgumentException("ActivationPermute from " + from + " to " + to
                    + ": give two different layouts, NCHW and NHWC");
        }
        this.from = from;
        this.to = to;
    }

    private static int[] order(CNN2DFormat from) {
        return from == CNN2DFormat.NCHW ? new int[] {0, 2, 3, 1} : new int[] {0, 3, 1, 2};
    }

    private static void requireRank4(INDArray a, String what) {
        if (a.rank() != 4) {
            throw new IllegalArgumentException("ActivationPermute: " + what + " of rank " + a.rank() + " "
                    + java.util.Arrays.toString(a.shape()) + " is not a 4-d convolutional activation");
        }
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        requireRank4(input, "input");
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, input.permute(order(from)), 'c');
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        requireRank4(output, "gradient");
        return workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, output.permute(order(to)), 'c');
    }

    @Override
    public InputPreProcessor clone() {
        return new ActivationPermute(from, to);
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException("ActivationPermute takes convolutional input, got " + inputType);
        }
        return InputType.convolutional(c.getHeight(), c.getWidth(), c.getChannels(), to);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return new Pair<>(maskArray, currentMaskState);
    }

    public CNN2DFormat getFrom() {
        return from;
    }

    public CNN2DFormat getTo() {
        return to;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationPermute p && p.from == from && p.to == to;
    }

    @Override
    public int hashCode() {
        return from.hashCode() * 31 + to.hashCode();
    }

    @Override
    public String toString() {
        return "ActivationPermute(" + from + " -> " + to + ")";
    }
}
