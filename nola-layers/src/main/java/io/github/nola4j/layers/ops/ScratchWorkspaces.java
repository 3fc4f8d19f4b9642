package io.github.nola4j.layers.ops;

import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;

/**
 * The one configuration of the project's per-thread scratch workspaces (merging, serving passes): a block
 * sized by what the first cycle allocates, grown when a larger cycle needs more (reallocated, never spilled
 * to unmanaged memory for good), reset to its start whenever the scope closes. Arrays made inside live until
 * the scope closes; results that must outlive it are written into arrays made outside or detached.
 */
public final class ScratchWorkspaces {

    /** Sized by the first cycle, grown on demand with 10 % headroom, reset at close. */
    public static final WorkspaceConfiguration REUSED_BLOCK = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.1)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private ScratchWorkspaces() {
    }
}
