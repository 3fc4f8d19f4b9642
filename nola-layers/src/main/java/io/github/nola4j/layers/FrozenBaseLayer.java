package io.github.nola4j.layers;

import java.util.List;

/**
 * A SameDiff layer configuration whose base parameters are frozen and whose adapter parameters alone train:
 * the low-rank layers ({@link LowRankLayer}) and the NOLA attention layer
 * ({@code io.github.nola4j.layers.attention.NolaAttention}). Their SameDiff runtime
 * ({@link LowRankSameDiffLayer}) asks SameDiff for the gradients of these keys and of the input only.
 */
public interface FrozenBaseLayer {

    /** @return the keys of the parameters that train, in parameter order */
    List<String> trainableParamKeys();
}
