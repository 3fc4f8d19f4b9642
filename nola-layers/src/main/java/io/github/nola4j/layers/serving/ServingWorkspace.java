package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.ops.ScratchWorkspaces;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The memory of one mixed-adapter pass: one ND4J workspace per calling thread, opened around a whole
 * {@link MixedAdapterNetwork#output} call and reset when it closes. Every array the pass makes (the gathered
 * input, each layer's activation and DL4J's working memory through {@link #layerArrays()}, the thin paths'
 * h = x·A and row masks) lives in it; only the output is copied out (detached) before the scope closes.
 *
 * <p>Why: ND4J frees an array's native memory only after the garbage collector finds its Java object dead, and
 * a server's batch threads make thousands of activations a second from several threads at once; left to the
 * collector, that memory piled up in the allocator (the samples CNN's mixed load test grew resident memory by
 * hundreds of MB). With the workspace a thread's pass reuses one block, sized by the largest pass seen so far
 * (the sum of all its arrays, not only the live ones). Each calling thread keeps its own block until it ends.
 *
 * <pre>
 *   try (MemoryWorkspace ws = ServingWorkspace.open()) {
 *       INDArray y = replica.output(...);     // made inside, gone at close
 *       return y.detach();                    // the caller's copy lives outside
 *   }
 * </pre>
 */
final class ServingWorkspace {

    /** Id of the workspace, one per thread. */
    static final String ID = "NOLA_SERVING_PASS";

    /** The project's scratch-workspace configuration (sized by the first cycle, grown on demand, reset at close). */
    private static final WorkspaceConfiguration CONFIG = ScratchWorkspaces.REUSED_BLOCK;

    private ServingWorkspace() {
    }

    /** @return this thread's serving workspace, activated; close it to release what the pass made */
    static MemoryWorkspace open() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID);
    }

    /** @return the bytes of the calling thread's block (0 before its first pass) */
    static long threadBytes() {
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(CONFIG, ID);
        return ws.getCurrentSize();
    }

    /**
     * @return a new manager that puts every array DL4J layers make (activations, working memory) in the open
     *         workspace; one per replica, since layers may keep helper state in it
     */
    static LayerWorkspaceMgr layerArrays() {
        LayerWorkspaceMgr.Builder b = LayerWorkspaceMgr.builder();
        for (ArrayType type : ArrayType.values()) {
            b.with(type, ID, CONFIG);
        }
        return b.build();
    }
}
