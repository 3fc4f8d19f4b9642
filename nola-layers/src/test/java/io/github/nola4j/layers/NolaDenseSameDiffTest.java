package io.github.nola4j.layers;

/** The NolaDense contract on the SameDiff runtime, the reference definition of the layer. */
class NolaDenseSameDiffTest extends NolaDenseTest {
    @Override
    LayerRuntime runtime() {
        return LayerRuntime.SAMEDIFF;
    }
}
