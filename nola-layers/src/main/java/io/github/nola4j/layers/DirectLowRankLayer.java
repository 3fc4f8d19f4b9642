package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * Runtime of a {@link LowRankLayer} written with ND4J operations instead of a SameDiff graph; it
 * computes what {@link LowRankLayer#defineLayer} defines (tests check both against each other and
 * against gradient checks).
 * <ul>
 *   <li>Forward: z = {@link LayerShape#preOutput}(x, W, b, A, s·B), y = act(z).</li>
 *   <li>Backward: δ = act'(z)·ε, then {@link LayerShape#backprop} gives dx, dA, dB and
 *       {@link LowRankLayer#trainableGradients} maps dA, dB to the trainable parameters. W and b
 *       get no gradient at all.</li>
 *   <li>The factors A and s·B are computed once and reused while the trainable parameters hold the
 *       same values (inference, or frozen adapters); backprop reuses the pre-activation of the
 *       training forward pass on the same input and factors instead of recomputing it.</li>
 *   <li>Dropout on the layer's input works as in DL4J's own layers.</li>
 * </ul>
 * Parameter storage is DL4J's SameDiff layer's (flat view, parameter table).
 */
public class DirectLowRankLayer extends SameDiffLayer {

    private IActivation activationFn;
    private List<String> trainableKeys;
    private INDArray[] cachedFactors;
    private double[][] cachedTrainable;
    /** Pre-activation of the last training forward pass, and what it was computed from. */
    private INDArray trainingPreOutput;
    private INDArray trainingApplied;
    private INDArray trainingInput;
    private INDArray[] trainingFactors;

    public DirectLowRankLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private LowRankLayer lowRankConf() {
        return (LowRankLayer) layerConf();
    }

    private IActivation activationFn() {
        if (activationFn == null) {
            org.nd4j.linalg.activations.Activation a = lowRankConf().getActivation();
            activationFn = (a == null ? org.nd4j.linalg.activations.Activation.SIGMOID : a).getActivationFunction();
        }
        return activationFn;
    }

    /** @return {A [fanIn, r], s·B [r, nOut]}, recomputed only when a trainable parameter changed */
    private INDArray[] factors() {
        double[][] current = new double[trainableKeys().size()][];
        for (int i = 0; i < current.length; i++) {
            current[i] = values(paramTable.get(trainableKeys().get(i)));
        }
        if (cachedFactors == null || !Arrays.deepEquals(current, cachedTrainable)) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                cachedFactors = lowRankConf().factors(paramTable);
            }
            cachedTrainable = current;
        }
        return cachedFactors;
    }

    /** @return a copy of a parameter's values, to compare on the Java side */
    private static double[] values(INDArray param) {
        return param.dup().data().asDouble();
    }

    private INDArray bias() {
        return lowRankConf().hasBias() ? paramTable.get(LowRankLayer.BIAS_KEY) : null;
    }

    /** @return {@link LayerShape#appliedWeight} of the current W and factors */
    private INDArray appliedWeight(INDArray[] ab) {
        return lowRankConf().shape().appliedWeight(paramTable.get(LowRankLayer.WEIGHT_KEY), ab[0], ab[1]);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray[] ab = factors();
        INDArray applied;
        try (MemoryWorkspace ignored = training ? Nd4j.getWorkspaceManager().scopeOutOfWorkspaces() : null) {
            applied = appliedWeight(ab); // kept for backprop in training: outside DL4J's per-layer workspaces
        }
        INDArray z = lowRankConf().shape().preOutput(input.castTo(dataType), applied, bias(), ab[0], ab[1]);
        if (training) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                trainingPreOutput = z.dup();
            }
            trainingApplied = applied;
            trainingInput = input;
            trainingFactors = ab;
        }
        INDArray out = activationFn().getActivation(z, training);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray[] ab = factors();
        INDArray x = input.castTo(dataType);
        // reuse the training forward's weight and pre-activation when nothing they depend on has changed since
        boolean reuse = trainingPreOutput != null && trainingInput == input && trainingFactors == ab;
        INDArray applied = reuse ? trainingApplied : appliedWeight(ab);
        // the stored pre-activation is handed over, not copied: the activation's backprop overwrites it
        INDArray z = reuse ? trainingPreOutput : lowRankConf().shape().preOutput(x, applied, bias(), ab[0], ab[1]);
        trainingPreOutput = null;
        INDArray delta = activationFn().backprop(z, epsilon).getFirst();
        INDArray[] grads = lowRankConf().shape().backprop(x, applied, bias(), ab[0], ab[1], delta);
        lowRankConf().trainableGradients(paramTable, grads[1], grads[2], gradTable);
        Gradient g = new DefaultGradient();
        for (String key : trainableKeys()) {
            g.gradientForVariable().put(key, gradTable.get(key));
        }
        INDArray dx = backpropDropOutIfPresent(grads[0]);
        return new Pair<>(g, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
    }

    /** @return the keys of the parameters that train, in parameter order */
    public List<String> trainableKeys() {
        if (trainableKeys == null) {
            trainableKeys = lowRankConf().trainableParamKeys();
        }
        return trainableKeys;
    }
}
