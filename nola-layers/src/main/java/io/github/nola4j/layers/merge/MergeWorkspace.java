package io.github.nola4j.layers.merge;

import io.github.nola4j.layers.ops.ScratchWorkspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The scratch memory of merging: one ND4J workspace per thread, opened around the computation of
 * one layer's merged weight and closed before the next layer. Every temporary array made inside
 * (the mixtures A and B, the product s·A·B [fanIn, nOut], its rearrangement into W's layout) lives
 * in the workspace, whose memory is reused by the next layer and the next merge instead of being
 * left to the garbage collector.
 *
 * <p>Why: ND4J frees a native array only when the garbage collector finds its Java object dead, and
 * the collector, which sees only the small Java objects, may not run for thousands of merges; a
 * merge of zoo ResNet50 makes about 100 MB of temporaries. With the workspace, the native memory
 * of merging is of the order of the largest layer's W per thread that merges (9.4 MB for ResNet50's
 * 512→512 3×3 kernels in float), allocated once and kept for that thread ({@link #release()} frees it).
 *
 * <pre>
 *   try (MemoryWorkspace ws = MergeWorkspace.open()) {
 *       INDArray delta = ...;              // temporaries, freed at close
 *       target.assign(delta);              // target lives outside: only its values change
 *   }
 * </pre>
 * Arrays made inside must not escape the try block; write results into arrays made outside it.
 */
public final class MergeWorkspace {

    /** Id of the workspace, one per thread. */
    public static final String ID = "NOLA_MERGE_SCRATCH";

    /** The project's scratch-workspace configuration (sized by the first cycle, grown on demand, reset at close). */
    private static final WorkspaceConfiguration CONFIG = ScratchWorkspaces.REUSED_BLOCK;

    private MergeWorkspace() {
    }

    /** @return this thread's merge workspace, activated; close it to release what was made inside */
    public static MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID);
    }

    /** Frees this thread's merge workspace (it is made again on the next {@link #open()}). */
    public static void release() {
        if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ID)) {
            Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ID));
        }
    }
}
