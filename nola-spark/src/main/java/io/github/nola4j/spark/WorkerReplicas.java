package io.github.nola4j.spark;

import org.deeplearning4j.nn.api.Model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The network replicas that live in an executor JVM between averaging rounds, one per training
 * run and partition. A replica keeps its updater state (e.g. Adam's moments of the trainable
 * values) and its position in its partition across rounds, so only the trainable values need to
 * travel. A replica that is missing (a task moved to another executor) is rebuilt from the
 * broadcast base and starts with a fresh updater state.
 */
final class WorkerReplicas {

    /** A network replica and where it is in its partition's minibatches. */
    static final class Replica {
        final Model network;
        final TrainableParameters parameters;
        long nextBatch;

        Replica(Model network) {
            this.network = network;
            this.parameters = TrainableParameters.of(network);
        }
    }

    private static final Map<String, Replica> REPLICAS = new ConcurrentHashMap<>();

    private WorkerReplicas() {
    }

    /** @return the replica of this run and partition, built with {@code base} the first time */
    static Replica get(String runId, int partition, Supplier<Model> base) {
        return REPLICAS.computeIfAbsent(key(runId, partition), k -> new Replica(base.get()));
    }

    /** @return the replica of this run and partition, or null when this executor has none */
    static Replica find(String runId, int partition) {
        return REPLICAS.get(key(runId, partition));
    }

    /** Drops the replicas of a run in this JVM. */
    static void release(String runId) {
        REPLICAS.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }

    private static String key(String runId, int partition) {
        return runId + "/" + partition;
    }
}
