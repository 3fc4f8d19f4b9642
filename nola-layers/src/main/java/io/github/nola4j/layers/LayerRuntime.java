package io.github.nola4j.layers;

/** How a low-rank layer executes its forward and backward passes. */
public enum LayerRuntime {
    /**
     * ND4J operations written out by hand ({@link DirectLowRankLayer}): no gradient for W, factors
     * cached while the trainable parameters are unchanged. The default.
     */
    DIRECT,
    /**
     * DL4J's SameDiff execution of {@link LowRankLayer#defineLayer} ({@link CoefficientSameDiffLayer}):
     * the reference definition, differentiated automatically.
     */
    SAMEDIFF
}
