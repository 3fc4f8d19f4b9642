package io.github.nola4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.reflect.ClassTag$;

import java.util.Locale;

/**
 * The bytes one worker exchanges with the driver in one averaging round, measured by serialising
 * what the scheme really ships with Spark's serializer.
 * <ul>
 *   <li>{@link #coefficientAveraging}: down, the broadcast {@link ValueVector} of the n trainable
 *       values; up, one worker's {@link WorkerResult}. The frozen base is broadcast once, before
 *       the first round, and is not part of a round.</li>
 *   <li>{@link #parameterAveraging}: DL4J's {@code ParameterAveragingTrainingMaster} ships the
 *       whole flattened parameter vector [P] (and, with {@code saveUpdater}, the updater state)
 *       both ways every round: up, the {@code ParameterAveragingAggregationTuple} a worker's task
 *       returns to the aggregation; down, the same arrays in its broadcast (its configuration JSON
 *       not counted).</li>
 * </ul>
 *
 * @param scheme        a short name of the scheme
 * @param values        values that travel each way per round: n (trainable) or P (all parameters,
 *                      plus the updater state's length when it is shipped)
 * @param bytesPerValue 4 for FLOAT networks, 8 for DOUBLE
 * @param downBytes     serialised bytes driver → worker per round
 * @param upBytes       serialised bytes worker → driver per round
 */
public record WireBytes(String scheme, long values, int bytesPerValue, long downBytes, long upBytes) {

    /** @return the bytes of the values alone: values · bytesPerValue */
    public long valueBytes() {
        return values * bytesPerValue;
    }

    /** @return upBytes / valueBytes: 1 plus the framing overhead */
    public double upOverhead() {
        return (double) upBytes / valueBytes();
    }

    /** @return the bytes of the NOLA-aware scheme for {@code network}, as {@link CoefficientAveragingTrainer} ships them */
    public static WireBytes coefficientAveraging(Model network, SerializerInstance serializer) {
        TrainableParameters p = TrainableParameters.of(network);
        ValueVector values = ValueVector.of(p.values());
        long down = size(serializer, values);
        long up = size(serializer, new WorkerResult(values, 1, 0.0, 0));
        return new WireBytes("NOLA coefficient averaging", p.length(), values.bytesPerValue(), down, up);
    }

    /**
     * @param saveUpdater whether the updater state travels too (DL4J's default: true)
     * @return the bytes of DL4J's parameter averaging for {@code network}
     */
    public static WireBytes parameterAveraging(Model network, boolean saveUpdater, SerializerInstance serializer) {
        INDArray params = network.params();
        INDArray updaterState = saveUpdater ? updaterState(network) : null;
        long values = params.length() + (updaterState == null ? 0 : updaterState.length());
        long down = size(serializer, params) + (updaterState == null ? 0 : size(serializer, updaterState));
        long up = size(serializer, new ParameterAveragingAggregationTuple(params, updaterState, 0.0, 1, null, null, null,
                null));
        return new WireBytes(saveUpdater ? "DL4J parameter averaging (with updater state)"
                : "DL4J parameter averaging", values, params.dataType().width(), down, up);
    }

    /** @return the serializer of the running Spark environment, or Spark's JavaSerializer without one */
    public static SerializerInstance sparkSerializer() {
        SparkEnv env = SparkEnv.get();
        return env != null ? env.serializer().newInstance() : new JavaSerializer(new SparkConf()).newInstance();
    }

    private static INDArray updaterState(Model network) {
        if (network instanceof MultiLayerNetwork mln) {
            return mln.getUpdater() == null ? null : mln.getUpdater().getStateViewArray();
        }
        ComputationGraph graph = (ComputationGraph) network;
        return graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
    }

    private static long size(SerializerInstance serializer, Object value) {
        return serializer.serialize(value, ClassTag$.MODULE$.apply(Object.class)).remaining();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %,d values x %d B = %,d B; per round and worker %,d B down, %,d B up "
                + "(%.3f x the values)", scheme, values, bytesPerValue, valueBytes(), downBytes, upBytes, upOverhead());
    }
}
