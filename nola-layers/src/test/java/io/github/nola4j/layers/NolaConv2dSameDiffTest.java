package io.github.nola4j.layers;

/** The NolaConv2d contract on the SameDiff runtime, the reference definition of the layer. */
class NolaConv2dSameDiffTest extends NolaConv2dTest {
    @Override
    LayerRuntime runtime() {
        return LayerRuntime.SAMEDIFF;
    }
}
