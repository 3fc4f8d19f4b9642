package io.github.nola4j.layers;

/** The LoraConv2d contract on the SameDiff runtime, the reference definition of the layer. */
class LoraConv2dSameDiffTest extends LoraConv2dTest {
    @Override
    LayerRuntime runtime() {
        return LayerRuntime.SAMEDIFF;
    }
}
