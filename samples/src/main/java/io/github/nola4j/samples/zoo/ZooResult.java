package io.github.nola4j.samples.zoo;

import io.github.nola4j.samples.bench.Timing;
import io.github.nola4j.zoo.TrainableSummary;

/**
 * What a {@code zoo} run measured.
 *
 * @param summary            NOLA coefficients, head and adapter size of the transfer
 * @param skippedLayers      convolutions selected but not adapted
 * @param fullFineTuneParams parameters full fine-tuning of the same network would train (BatchNorm
 *                           running statistics excluded, the new head included)
 * @param setupMillis        swap to NOLA layers plus the first forward pass, basis generation included
 * @param stepMillis         training steps after the first {@link ZooConfig#WARMUP_STEPS}
 * @param threads            OpenMP threads of ND4J's native ops (OMP_NUM_THREADS), which the step time depends on
 * @param memory             memory after training
 * @param firstLoss          loss of the first training step
 * @param lastLoss           loss of the last training step
 * @param accuracy           test accuracy, 0 to 1
 * @param testImages         test images evaluated
 * @param trainSeconds       wall time of the training steps
 * @param evalSeconds        wall time of the evaluation
 */
public record ZooResult(TrainableSummary summary, int skippedLayers, long fullFineTuneParams, double setupMillis,
                        Timing stepMillis, int threads, Memory memory, double firstLoss, double lastLoss, double accuracy,
                        int testImages, double trainSeconds, double evalSeconds) {

    /**
     * Memory in bytes at one moment.
     *
     * @param heapUsed      JVM heap in use (total minus free)
     * @param physicalBytes physical memory of the process, as JavaCPP reads it ({@code Pointer.physicalBytes()})
     * @param javacppBytes  off-heap memory allocated through JavaCPP pointers ({@code Pointer.totalBytes()});
     *                      ND4J allocates its array buffers natively outside this count
     * @param basesBytes    frozen random NOLA bases held by {@code BasisCache}
     */
    public record Memory(long heapUsed, long physicalBytes, long javacppBytes, long basesBytes) {
    }
}
