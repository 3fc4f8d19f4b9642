package io.github.nola4j.layers;

/** The LoraDense contract on the SameDiff runtime, the reference definition of the layer. */
class LoraDenseSameDiffTest extends LoraDenseTest {
    @Override
    LayerRuntime runtime() {
        return LayerRuntime.SAMEDIFF;
    }
}
