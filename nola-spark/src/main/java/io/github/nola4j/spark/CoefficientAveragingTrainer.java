package io.github.nola4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Data-parallel fine-tuning on Spark that ships only the trainable values.
 * <pre>
 *   once:        broadcast the network (configuration + every parameter, frozen ones included)
 *   every round: broadcast θ, the trainable values [n]
 *                each worker: θ → its replica, stepsPerRound minibatches of its partition, → θ_w
 *                driver:      θ = (1/W) Σ_w θ_w   (treeAggregate), written into the network
 * </pre>
 * The frozen weights never travel after the first broadcast, so they stay bit-identical on every
 * worker and in the driver's network whatever the number of workers. Each worker keeps its
 * replica and updater state (e.g. Adam's moments of θ) between rounds ({@link WorkerReplicas});
 * the driver's network receives the averaged θ and nothing else (its updater state is not used).
 * Bytes per round and worker: n values each way plus a few dozen bytes of framing
 * ({@link WireBytes}), against the whole parameter vector in DL4J's parameter averaging.
 *
 * <p>Call {@link #close()} when done: it drops the replicas on the executors.
 */
public final class CoefficientAveragingTrainer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoefficientAveragingTrainer.class);

    private final JavaSparkContext sc;
    private final Model network;
    private final TrainableParameters parameters;
    private final int workers;
    private final int stepsPerRound;
    private final String runId = UUID.randomUUID().toString();
    private Broadcast<NetworkBytes> base;
    private JavaRDD<DataSet> partitioned;
    private final List<Double> roundScores = new ArrayList<>();

    /**
     * @param sc            the Spark context
     * @param network       the network to train (a NolaTransfer result or any MultiLayerNetwork /
     *                      ComputationGraph); its trainable values are updated in place
     * @param workers       partitions trained in parallel (one replica each), &gt; 0
     * @param stepsPerRound minibatches each worker trains between two averagings, &gt; 0
     */
    public CoefficientAveragingTrainer(JavaSparkContext sc, Model network, int workers, int stepsPerRound) {
        this.sc = Objects.requireNonNull(sc, "sc");
        this.network = Objects.requireNonNull(network, "network");
        if (workers <= 0) {
            throw new IllegalArgumentException("workers = " + workers + " must be > 0; use e.g. the number of "
                    + "executor cores (2 for local[2])");
        }
        if (stepsPerRound <= 0) {
            throw new IllegalArgumentException("stepsPerRound = " + stepsPerRound + " must be > 0; use e.g. 5 "
                    + "(average after every 5 minibatches per worker)");
        }
        this.parameters = TrainableParameters.of(network);
        if (parameters.length() == 0) {
            throw new IllegalArgumentException("The network has no trainable parameters (every layer is frozen "
                    + "or has a NoOp updater): build it with NolaTransfer, which adapts layers and adds a head");
        }
        if (parameters.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(parameters.length() + " trainable values do not fit one array; "
                    + "freeze more layers");
        }
        this.workers = workers;
        this.stepsPerRound = stepsPerRound;
    }

    /**
     * Trains {@code rounds} averaging rounds on {@code minibatches}: each round every worker fits
     * its next {@code stepsPerRound} minibatches (cycling through its partition), then the
     * trainable values are averaged into the network.
     *
     * @param minibatches one DataSet per minibatch; shuffled into {@code workers} partitions and cached
     *                    on first use (later calls keep the first partitioning)
     * @return the mean last-minibatch score of the workers in each round of this call
     */
    public double[] fit(JavaRDD<DataSet> minibatches, int rounds) {
        if (rounds <= 0) {
            throw new IllegalArgumentException("rounds = " + rounds + " must be > 0");
        }
        if (base == null) {
            base = sc.broadcast(NetworkBytes.of(network));
        }
        if (partitioned == null) {
            // always shuffled once: the partitions of a parallelized collection hold the data, and every task of
            // every round would carry it; shuffled partitions are read from the executors' cache instead
            partitioned = minibatches.repartition(workers).persist(StorageLevel.MEMORY_ONLY());
        }
        double[] scores = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            Broadcast<ValueVector> current = sc.broadcast(ValueVector.of(parameters.values()));
            WorkerResult sum = partitioned
                    .mapPartitionsWithIndex(new RoundStep(runId, base, current, stepsPerRound), true)
                    .treeAggregate(WorkerResult.NONE, WorkerResult::plus, WorkerResult::plus);
            current.destroy();
            if (sum.workers() == 0) {
                throw new IllegalArgumentException("No worker had a minibatch: the RDD is empty");
            }
            parameters.assign(sum.average().toArray());
            scores[round] = sum.meanScore();
            roundScores.add(scores[round]);
            log.debug("round {}: {} workers, {} examples, mean score {}", roundScores.size(), sum.workers(),
                    sum.examples(), scores[round]);
        }
        return scores;
    }

    /**
     * Runs one job that reports, for every partition, the {@link TrainableParameters#frozenFingerprint}
     * of the replica the executor holds for it (a replica is built from the broadcast base where
     * missing).
     *
     * @return one fingerprint per partition, in partition order
     * @throws IllegalStateException before the first {@link #fit}
     */
    public List<String> workerFrozenFingerprints() {
        if (partitioned == null) {
            throw new IllegalStateException("No replicas yet: call fit(...) first");
        }
        String id = runId;
        Broadcast<NetworkBytes> b = base;
        return partitioned.mapPartitionsWithIndex((Function2<Integer, Iterator<DataSet>, Iterator<String>>)
                (partition, it) -> Collections.singletonList(
                        WorkerReplicas.get(id, partition, () -> b.value().restore()).parameters.frozenFingerprint())
                        .iterator(), true).collect();
    }

    /** @return the trainable values of the network */
    public TrainableParameters parameters() {
        return parameters;
    }

    /** @return the mean last-minibatch score of every round so far */
    public double[] roundScores() {
        return roundScores.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** @return bytes of the one-time broadcast of the network (0 before the first fit) */
    public long baseBroadcastBytes() {
        return base == null ? 0 : base.value().size();
    }

    public int workers() {
        return workers;
    }

    /** Drops the replicas on the executors and the cached minibatches. */
    @Override
    public void close() {
        if (partitioned != null) {
            String id = runId;
            partitioned.foreachPartition(it -> WorkerReplicas.release(id));
            partitioned.unpersist(false);
            partitioned = null;
        }
        WorkerReplicas.release(runId);
        if (base != null) {
            base.destroy();
            base = null;
        }
    }

    /** One worker's part of a round. */
    private record RoundStep(String runId, Broadcast<NetworkBytes> base, Broadcast<ValueVector> current,
                             int steps) implements Function2<Integer, Iterator<DataSet>, Iterator<WorkerResult>> {

        @Override
        public Iterator<WorkerResult> call(Integer partition, Iterator<DataSet> data) {
            List<DataSet> batches = new ArrayList<>();
            data.forEachRemaining(batches::add);
            if (batches.isEmpty()) {
                return Collections.singletonList(WorkerResult.NONE).iterator();
            }
            WorkerReplicas.Replica replica = WorkerReplicas.get(runId, partition, () -> base.value().restore());
            replica.parameters.assign(current.value().toArray());
            long examples = 0;
            for (int s = 0; s < steps; s++) {
                DataSet batch = batches.get((int) (replica.nextBatch++ % batches.size()));
                fit(replica.network, batch);
                examples += batch.numExamples();
            }
            return Collections.singletonList(new WorkerResult(ValueVector.of(replica.parameters.values()), 1,
                    replica.network.score(), examples)).iterator();
        }

        private static void fit(Model network, DataSet batch) {
            if (network instanceof MultiLayerNetwork mln) {
                mln.fit(batch);
            } else {
                ((ComputationGraph) network).fit(batch);
            }
        }
    }
}
