package io.github.nola4j.layers.ops;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether Java code may read and write an array's values through its buffer ({@code data().asNio()}) instead of
 * through ND4J ops: true on the CPU backend, where that buffer is the array's memory. On CUDA the host copy can be
 * stale and a write there would not reach the device, so code that copies or computes in Java (the small
 * element-wise loops of {@link OutputDerivative}, serving's block copies) takes its ND4J path instead.
 */
public final class HostMemory {

    private static final boolean DIRECT = Nd4j.getEnvironment().isCPU();

    private HostMemory() {
    }

    /** @return true when arrays' buffers are their memory (the CPU backend) */
    public static boolean direct() {
        return DIRECT;
    }
}
