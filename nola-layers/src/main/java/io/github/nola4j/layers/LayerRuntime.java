package io.github.nola4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/** How a low-rank layer executes its forward and backward passes. */
public enum LayerRuntime {
    /**
     * ND4J operations written out by hand ({@link DirectLowRankLayer}): no gradient for W, factors
     * cached while the trainable parameters are unchanged. The default.
     */
    DIRECT,
    /**
     * DL4J's SameDiff execution of {@link LowRankLayer#defineLayer} ({@link LowRankSameDiffLayer}):
     * the reference definition, differentiated automatically.
     */
    SAMEDIFF;

    /**
     * @return a layer of this runtime with {@code conf} (a {@link FrozenBaseLayer}; {@link #DIRECT} only for a
     *         {@link LowRankLayer}) and the parameter views {@code paramTable}
     */
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                               int layerIndex, INDArray paramsView, Map<String, INDArray> paramTable,
                                               DataType networkDataType) {
        SameDiffLayer layer = this == SAMEDIFF ? new LowRankSameDiffLayer(conf, networkDataType)
                : new DirectLowRankLayer(conf, networkDataType);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(paramTable);
        layer.setConf(conf);
        layer.setListeners(listeners);
        if (layer instanceof DirectLowRankLayer d) {
            FamilyRoster.register(d, paramsView);
        }
        return layer;
    }
}
