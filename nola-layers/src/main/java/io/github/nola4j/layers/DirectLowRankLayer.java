package io.github.nola4j.layers;

import io.github.nola4j.layers.network.UpdaterSkippedConfig;
import io.github.nola4j.layers.ops.InferenceForm;
import io.github.nola4j.layers.ops.LowRankUpdate;
import io.github.nola4j.layers.ops.OutputDerivative;
import io.github.nola4j.layers.ops.ParameterSnapshot;
import io.github.nola4j.layers.ops.TrainingPath;
import io.github.nola4j.layers.ops.TrainingStep;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Runtime of a {@link LowRankLayer} written with ND4J operations instead of a SameDiff graph; it
 * computes what {@link LowRankLayer#defineLayer} defines (tests check both against each other and
 * against gradient checks).
 * <ul>
 *   <li>Inference: z = {@link io.github.nola4j.layers.ops.LayerOperation#preOutput LayerOperation#preOutput}(x, W, b, {@link LowRankUpdate}): x·W + b + (x·A)·(s·B), or a
 *       convolution with the merged kernel W + s·ΔW; y = act(z).</li>
 *   <li>Training: {@link io.github.nola4j.layers.ops.LayerOperation#trainingStep LayerOperation#trainingStep} computes z and keeps what its backward pass needs
 *       (dense: x·A; convolution: the r-channel activation on the factorised path, the merged
 *       kernel on the merged one, see {@link TrainingPath}); backward: δ = act'(z)·ε (tanh and sigmoid:
 *       dy/dz taken from y in the forward pass, {@link OutputDerivative}; z is then not kept), the step gives
 *       dx, dA, dB and {@link LowRankLayer#trainableGradients} maps dA, dB to the trainable
 *       parameters. W and b get no gradient at all.</li>
 *   <li>dx is skipped when {@link #setInputGradientNeeded} said nothing uses it (see
 *       {@link InputGradients}); the layer then returns zeros of the input's shape.</li>
 *   <li>In inference the factors A and s·B, and a convolution's merged kernel W + s·ΔW, are computed
 *       once and reused while the trainable parameters and W hold the same values
 *       ({@link InferenceForm}). In training they are computed per step, and backprop
 *       reuses the step of the training forward pass on the same input and parameter values
 *       instead of recomputing it. The step's arrays and factors live in DL4J's activations
 *       workspace, like the layer's input, so a training step allocates no off-heap memory of its
 *       own once the workspaces have grown.</li>
 *   <li>Dropout on the layer's input works as in DL4J's own layers.</li>
 * </ul>
 * Parameter storage is DL4J's SameDiff layer's (flat view, parameter table).
 */
public class DirectLowRankLayer extends SameDiffLayer {

    private IActivation activationFn;
    private List<String> trainableKeys;
    private InferenceForm cachedForm;
    /** The trainable parameters' values {@link #cachedForm} was made from, one snapshot per key. */
    private ParameterSnapshot[] cachedTrainable;
    private TrainingPath trainingPath = TrainingPath.AUTO;
    /**
     * The last training forward pass, its pre-activation (or, for an activation {@link OutputDerivative}
     * supports, dy/dz from its output) and what it was computed from.
     */
    private TrainingStep trainingStep;
    private INDArray trainingPreOutput;
    private INDArray trainingDerivative;
    private INDArray trainingInput;
    private ParameterSnapshot[] trainingValues;
    /** The family product this layer takes its factors from and hands its factor gradients to, or null. */
    private FamilyProduct familyProduct;
    /** The layers of this layer's network, which form the family products; null for a layer made outside one. */
    private FamilyRoster roster;

    public DirectLowRankLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private LowRankLayer lowRankConf() {
        return (LowRankLayer) layerConf();
    }

    private IActivation activationFn() {
        if (activationFn == null) {
            activationFn = activation().getActivationFunction();
        }
        return activationFn;
    }

    /** @return the layer's activation; none set means sigmoid, as in DL4J's layers */
    private Activation activation() {
        Activation a = lowRankConf().getActivation();
        return a == null ? Activation.SIGMOID : a;
    }

    /**
     * Chooses how a convolution trains; not saved with the network. Default {@link TrainingPath#AUTO}.
     *
     * @throws IllegalArgumentException for null
     */
    public void setTrainingPath(TrainingPath path) {
        if (path == null) {
            throw new IllegalArgumentException("Layer \"" + lowRankConf().getLayerName()
                    + "\": trainingPath = null is not allowed; use TrainingPath.AUTO, MERGED or FACTORISED");
        }
        this.trainingPath = path;
        this.trainingStep = null;
    }

    public TrainingPath getTrainingPath() {
        return trainingPath;
    }

    /**
     * @param needed false when nothing uses this layer's input gradient (no trainable parameter
     *               below it): backprop then skips dL/dx and returns zeros. Kept in the layer's
     *               configuration, so a network saved with ModelSerializer trains on the same way.
     */
    public void setInputGradientNeeded(boolean needed) {
        lowRankConf().setInputGradientNeeded(needed);
        this.trainingStep = null;
    }

    public boolean isInputGradientNeeded() {
        return lowRankConf().isInputGradientNeeded();
    }

    /** Set by {@link BasisFamilies}; null puts the layer back on the per-layer path. */
    void setFamilyProduct(FamilyProduct product) {
        this.familyProduct = product;
        this.trainingStep = null;
    }

    FamilyProduct familyProduct() {
        return familyProduct;
    }

    /** Set by {@link FamilyRoster#register}. */
    void setRoster(FamilyRoster roster) {
        this.roster = roster;
    }

    FamilyRoster roster() {
        return roster;
    }

    /**
     * Writes the coefficient gradients of this layer's family when not all of its members ran backprop.
     * DL4J 1.0.0-M2.1 calls this on every layer after the backward pass and before the updater
     * ({@code computeGradientAndScore} of MultiLayerNetwork and ComputationGraph).
     */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        if (familyProduct != null) {
            familyProduct.flush();
        }
        return super.calcRegularizationScore(backpropParamsOnly);
    }

    /** @return the current values of the trainable parameters, kept on the Java heap to compare later */
    ParameterSnapshot[] trainableValues() {
        ParameterSnapshot[] current = new ParameterSnapshot[trainableKeys().size()];
        for (int i = 0; i < current.length; i++) {
            current[i] = ParameterSnapshot.of(paramTable.get(trainableKeys().get(i)));
        }
        return current;
    }

    /** @return whether the trainable parameters hold the bits of {@code values} ({@link #trainableValues()}) */
    boolean trainableMatch(ParameterSnapshot[] values) {
        List<String> keys = trainableKeys();
        for (int i = 0; i < values.length; i++) {
            if (!values[i].matches(paramTable.get(keys.get(i)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the inference form (a convolution's merged kernel, a dense layer's factors), kept outside the
     *         workspaces and made again only when a trainable parameter or W changed
     */
    private InferenceForm inferenceForm() {
        INDArray w = paramTable.get(LowRankLayer.WEIGHT_KEY);
        if (cachedForm == null || !trainableMatch(cachedTrainable) || !cachedForm.matches(w)) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                cachedForm = InferenceForm.of(lowRankConf().shape(), w, lowRankConf().update(paramTable));
            }
            cachedTrainable = trainableValues();
        }
        return cachedForm;
    }

    private INDArray bias() {
        return lowRankConf().hasBias() ? paramTable.get(LowRankLayer.BIAS_KEY) : null;
    }

    /** @return a training step on x with the current W, b and factors, its arrays in the current workspace */
    private TrainingStep newTrainingStep(INDArray x, LowRankUpdate update) {
        return lowRankConf().shape().trainingStep(x, paramTable.get(LowRankLayer.WEIGHT_KEY), bias(), update,
                trainingPath, lowRankConf().isInputGradientNeeded());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = input.castTo(dataType);
        INDArray z;
        if (training) {
            // the factors change at every update: computed per step, with the step's arrays, in DL4J's
            // activations workspace, which in fit() lives until the backward pass, as the layer's input does
            // (no off-heap allocation per step)
            trainingValues = trainableValues();
            if (roster != null) {
                roster.ensureFormed();
            }
            try (MemoryWorkspace ignored = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
                trainingStep = newTrainingStep(x, familyProduct == null ? lowRankConf().update(paramTable)
                        : familyProduct.update(this));
            }
            trainingInput = input;
            Activation act = activation();
            if (OutputDerivative.supports(act)) { // backprop needs dy/dz only: y in place of z, no copy of z
                INDArray y = activationFn().getActivation(trainingStep.preOutput(), true);
                try (MemoryWorkspace ignored = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
                    trainingDerivative = OutputDerivative.of(act, y);
                }
                trainingPreOutput = null;
                return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, y);
            }
            trainingDerivative = null;
            trainingPreOutput = trainingStep.preOutput();
            z = workspaceMgr.dup(ArrayType.ACTIVATIONS, trainingPreOutput); // the activation works in place
        } else {
            z = inferenceForm().preOutput(x, paramTable.get(LowRankLayer.WEIGHT_KEY), bias());
        }
        INDArray out = activationFn().getActivation(z, training);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        // reuse the training forward's step when nothing it depends on has changed since
        boolean reuse = trainingStep != null && trainingInput == input && trainableMatch(trainingValues);
        TrainingStep step = reuse ? trainingStep
                : newTrainingStep(input.castTo(dataType), lowRankConf().update(paramTable));
        // the stored pre-activation (or dy/dz) is handed over, not copied: the backprop overwrites it
        INDArray derivative = reuse ? trainingDerivative : null;
        INDArray z = reuse ? trainingPreOutput : step.preOutput();
        trainingStep = null;
        trainingPreOutput = null;
        trainingDerivative = null;
        INDArray delta = derivative != null ? OutputDerivative.times(derivative, epsilon) : activationFn().backprop(z, epsilon).getFirst();
        INDArray inputGradient;
        if (familyProduct == null) {
            INDArray[] grads = step.backprop(delta);
            lowRankConf().trainableGradients(paramTable, grads[1], grads[2], gradTable);
            inputGradient = grads[0];
        } else {
            inputGradient = familyProduct.backprop(this, step, delta, gradTable);
        }
        Gradient g = new DefaultGradient();
        for (String key : trainableKeys()) {
            g.gradientForVariable().put(key, gradTable.get(key));
        }
        INDArray dx = inputGradient == null
                ? workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), input.ordering())
                : workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, backpropDropOutIfPresent(inputGradient));
        return new Pair<>(g, dx);
    }

    /**
     * @return false for W and b: backprop never writes their slice of the network's gradient view, so DL4J's
     * per-step division of it by the minibatch (a pass over every frozen weight) would change nothing
     */
    @Override
    public boolean updaterDivideByMinibatch(String paramName) {
        return !lowRankConf().isFrozen(paramName) && super.updaterDivideByMinibatch(paramName);
    }

    /** @return the layer's configuration with W and b skipped by DL4J's updater ({@link UpdaterSkippedConfig}) */
    @Override
    public TrainingConfig getConfig() {
        return new UpdaterSkippedConfig(super.getConfig(), lowRankConf()::isFrozen);
    }

    /** @return the keys of the parameters that train, in parameter order */
    public List<String> trainableKeys() {
        if (trainableKeys == null) {
            trainableKeys = lowRankConf().trainableParamKeys();
        }
        return trainableKeys;
    }
}
