package io.github.nola4j.samples.bench;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a step with libnd4j and OpenBLAS on the calling thread only, then puts their thread settings back.
 * libnd4j 1.0.0-M2.1 splits an element-wise op over its OpenMP threads once it has more than
 * {@code Nd4j.getEnvironment().elementwiseThreshold()} elements (1,024 by default: the dense scenario's
 * [64, 512] tanh is split in two) and a TAD op once it has more than {@code tadThreshold()} sub-arrays, up
 * to {@code maxMasterThreads()} threads; OpenBLAS runs its products on its own pthreads, up to
 * {@code Nd4j.factory().blas().getMaxThreads()}. On two cores those two pools' idle threads, spinning
 * after each op, compete with each other and with the stepping thread. The bench's {@code *_one_thread}
 * kinds time a step with the thresholds raised past any array and one BLAS thread, to show what that
 * contention costs; the settings are process-wide, so they are set for the step and restored after it.
 */
final class OneThreadStep implements Runnable {

    private final Runnable step;

    OneThreadStep(Runnable step) {
        this.step = step;
    }

    @Override
    public void run() {
        Environment env = Nd4j.getEnvironment();
        Blas blas = Nd4j.factory().blas();
        int elementwise = env.elementwiseThreshold();
        int tad = env.tadThreshold();
        int master = env.maxMasterThreads();
        int blasThreads = blas.getMaxThreads();
        try {
            env.setElementwiseThreshold(Integer.MAX_VALUE);
            env.setTadThreshold(Integer.MAX_VALUE);
            env.setMaxMasterThreads(1);
            blas.setMaxThreads(1);
            step.run();
        } finally {
            env.setElementwiseThreshold(elementwise);
            env.setTadThreshold(tad);
            env.setMaxMasterThreads(master);
            blas.setMaxThreads(blasThreads);
        }
    }
}
