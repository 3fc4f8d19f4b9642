package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.DL4JSameDiffMemoryMgr;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.common.primitives.Pair;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.common.util.ArrayUtil;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runtime of a {@link FrozenBaseLayer} in SameDiff (a {@link LowRankLayer}, NOLA or LoRA, or the NOLA attention
 * layer): DL4J's SameDiff layer, changed in four ways.
 * <ul>
 *   <li>The upstream gradient ε enters the graph as the loss {@code sum(y ⊙ ε)}, whose gradient
 *       with respect to y is exactly ε. DL4J 1.0.0-M2.1 uses an {@code ExternalErrorsFunction}
 *       whose {@code doDiff} both registers and returns the gradient placeholder, so SameDiff sums
 *       it twice and every gradient of a SameDiff layer comes out doubled.</li>
 *   <li>Backprop asks SameDiff for the gradients of the trainable parameters (α, β or LoRA's A, B) and of the
 *       input only; the frozen parameters (W and b) get none, and their gradient slots stay zero.</li>
 *   <li>Dropout configured on the layer is applied to the input in training, and backpropagated,
 *       as DL4J's own layers do (DL4J's SameDiff runtime ignores it).</li>
 *   <li>The "Added differentiated op" lines that SameDiff prints while building the gradient
 *       function are dropped instead of reaching stdout.</li>
 * </ul>
 */
public class LowRankSameDiffLayer extends SameDiffLayer {

    /** Placeholder of the gradient of the loss with respect to the layer output. */
    static final String EPSILON_KEY = "nolaEpsilon";

    private List<String> trainableKeys;

    public LowRankSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private FrozenBaseLayer frozenBaseConf() {
        return (FrozenBaseLayer) layerConf();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        applyDropOutIfNecessary(training, workspaceMgr);
        return super.activate(training, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
            if (!sameDiff.hasGradientFunction()) {
                DifferentiationLogFilter.run(() -> sameDiff.createGradFunction(INPUT_KEY));
            }
        }
        SameDiff gradFn = sameDiff.getFunction("grad");
        Map<Long, InferenceSession> sessions = gradFn.getSessions();
        sessions.computeIfAbsent(Thread.currentThread().getId(), id -> SameDiff.getInferenceFactory().create(gradFn));
        sessions.get(Thread.currentThread().getId()).setMmgr(new DL4JSameDiffMemoryMgr(
                workspaceMgr.getWorkspaceName(ArrayType.BP_WORKING_MEM),
                workspaceMgr.getWorkspaceName(ArrayType.ACTIVATION_GRAD),
                workspaceMgr.getConfiguration(ArrayType.BP_WORKING_MEM),
                workspaceMgr.getConfiguration(ArrayType.ACTIVATION_GRAD)));

        Map<String, INDArray> placeholders = new HashMap<>();
        placeholders.put(INPUT_KEY, input);
        placeholders.put(EPSILON_KEY, epsilon);
        placeholders.put(MASK_KEY, maskArray != null ? maskArray : layerConf().onesMaskForInput(input));

        List<String> required = new ArrayList<>(trainableKeys());
        required.add(INPUT_KEY);
        Map<String, INDArray> grads = sameDiff.calculateGradients(placeholders, required);

        Gradient g = new DefaultGradient();
        for (String key : trainableKeys()) {
            INDArray view = gradTable.get(key);
            view.assign(grads.get(key));
            g.gradientForVariable().put(key, view);
        }
        INDArray dLdIn = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, grads.get(INPUT_KEY));
        sameDiff.clearPlaceholders(true);
        sameDiff.clearOpInputs();
        return new Pair<>(g, backpropDropOutIfPresent(dLdIn));
    }

    @Override
    protected void doInit() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            sameDiff = SameDiff.create();
            sameDiff.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
            long[] inputShape = input.shape().clone();
            inputShape[0] = -1;
            SDVariable in = sameDiff.placeHolder(INPUT_KEY, dataType, inputShape);
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            layerConf().getLayerParams().getParamShapes().forEach((key, shape) ->
                    vars.put(key, sameDiff.var(key, dataType, shape)));
            SDVariable mask = sameDiff.placeHolder(MASK_KEY, dataType, ArrayUtil.nTimes((long) inputShape.length, -1));
            outputVar = ((org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer) layerConf())
                    .defineLayer(sameDiff, in, vars, mask);
            paramTable.forEach((key, array) -> sameDiff.associateArrayWithVariable(array, sameDiff.getVariable(key)));
            SDVariable epsilon = sameDiff.placeHolder(EPSILON_KEY, dataType,
                    ArrayUtil.nTimes((long) inputShape.length, -1)); // output rank = input rank
            outputVar.mul(epsilon).sum().markAsLoss();
            outputKey = outputVar.name();
        }
    }

    /** @return the keys of the parameters that train, in parameter order */
    public List<String> trainableKeys() {
        if (trainableKeys == null) {
            trainableKeys = frozenBaseConf().trainableParamKeys();
        }
        return trainableKeys;
    }

}
