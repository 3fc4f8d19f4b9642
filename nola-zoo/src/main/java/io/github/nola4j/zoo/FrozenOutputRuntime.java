package io.github.nola4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;

/**
 * Runtime of a frozen output layer that a transfer keeps (adapters below it train): a
 * {@link FrozenInferenceRuntime} that is also an {@link IOutputLayer}, delegating labels, scores and
 * predictions to the wrapped output layer. DL4J's {@code fit} already looks inside a
 * {@code FrozenLayerWithBackprop} output layer for its loss, but {@code evaluate} (MultiLayerNetwork and
 * ComputationGraph) requires the output layer itself to be an IOutputLayer, and failed with "Cannot
 * evaluate network with no output layer". Training the frozen layer on its own ({@code fit} of
 * {@link org.deeplearning4j.nn.api.Classifier}) is refused.
 */
public class FrozenOutputRuntime extends FrozenInferenceRuntime implements IOutputLayer {

    public FrozenOutputRuntime(Layer insideLayer) {
        super(insideLayer);
    }

    private IOutputLayer output() {
        return (IOutputLayer) getInsideLayer();
    }

    @Override
    public boolean needsLabels() {
        return output().needsLabels();
    }

    @Override
    public void setLabels(INDArray labels) {
        output().setLabels(labels);
    }

    @Override
    public INDArray getLabels() {
        return output().getLabels();
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        return output().computeScore(fullNetRegTerm, training, workspaceMgr);
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        return output().computeScoreForExamples(fullNetRegTerm, workspaceMgr);
    }

    @Override
    public double f1Score(DataSet data) {
        return output().f1Score(data);
    }

    @Override
    public double f1Score(INDArray examples, INDArray labels) {
        return output().f1Score(examples, labels);
    }

    @Override
    public int numLabels() {
        return output().numLabels();
    }

    @Override
    public int[] predict(INDArray examples) {
        return output().predict(examples);
    }

    @Override
    public List<String> predict(DataSet dataSet) {
        return output().predict(dataSet);
    }

    @Override
    public void fit(DataSetIterator iter) {
        throw frozen();
    }

    @Override
    public void fit(INDArray examples, INDArray labels) {
        throw frozen();
    }

    @Override
    public void fit(DataSet data) {
        throw frozen();
    }

    @Override
    public void fit(INDArray examples, int[] labels) {
        throw frozen();
    }

    private UnsupportedOperationException frozen() {
        return new UnsupportedOperationException("Output layer \"" + conf().getLayer().getLayerName()
                + "\" is frozen; fit the network, or keep the layer trainable with trainable(\""
                + conf().getLayer().getLayerName() + "\") or replace it with replaceHead(nOut)");
    }
}
