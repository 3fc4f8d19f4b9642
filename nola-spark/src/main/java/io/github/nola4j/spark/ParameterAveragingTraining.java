package io.github.nola4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Fine-tuning with DL4J's own Spark training ({@code dl4j-spark_2.12} 1.0.0-M2 on this project's
 * DL4J 1.0.0-M2.1): {@link SparkDl4jMultiLayer} or {@link SparkComputationGraph} with a
 * {@link ParameterAveragingTrainingMaster}. Every round ships the whole flattened parameter vector
 * (frozen weights included) to each worker and back ({@link WireBytes#parameterAveraging}).
 * With two workers the frozen weights stay bit-identical ((a + a) / 2 = a in floating point);
 * with three or more, DL4J's sum-then-divide averaging can move them by an ulp.
 */
public final class ParameterAveragingTraining {

    private ParameterAveragingTraining() {
    }

    /**
     * @param workers            workers (partitions) per round
     * @param batchSize          examples per DataSet in the RDD and per worker step
     * @param averagingFrequency minibatches each worker fits between averagings
     * @param hooks              optional hooks run on the workers around every step
     * @return a master that trains straight from the RDD (no export to disk) without repartitioning
     */
    public static ParameterAveragingTrainingMaster master(int workers, int batchSize, int averagingFrequency,
                                                          TrainingHook... hooks) {
        ParameterAveragingTrainingMaster.Builder b = new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize).averagingFrequency(averagingFrequency).workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct).repartionData(Repartition.Never)
                .saveUpdater(true).collectTrainingStats(false);
        if (hooks.length > 0) {
            b.trainingHooks(hooks);
        }
        return b.build();
    }

    /**
     * Fits {@code epochs} passes over {@code minibatches} with DL4J's Spark training.
     *
     * @return the trained network (the same object as {@code network}, whose parameters DL4J replaces)
     */
    public static Model fit(JavaSparkContext sc, Model network, ParameterAveragingTrainingMaster master,
                            JavaRDD<DataSet> minibatches, int epochs) {
        if (network instanceof MultiLayerNetwork mln) {
            SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, mln, master);
            for (int e = 0; e < epochs; e++) {
                spark.fit(minibatches);
            }
            return spark.getNetwork();
        }
        if (network instanceof ComputationGraph graph) {
            SparkComputationGraph spark = new SparkComputationGraph(sc, graph, master);
            for (int e = 0; e < epochs; e++) {
                spark.fit(minibatches);
            }
            return spark.getNetwork();
        }
        throw new IllegalArgumentException("Network of type " + network.getClass().getName() + " is not supported: "
                + "pass a MultiLayerNetwork or a ComputationGraph");
    }
}
