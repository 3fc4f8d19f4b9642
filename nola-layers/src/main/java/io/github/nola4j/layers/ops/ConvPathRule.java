package io.github.nola4j.layers.ops;

/**
 * Chooses a convolution's {@link TrainingPath} by counting multiply-adds per output position and
 * example (every term below is multiplied by mb·oH·oW, so the choice does not depend on the input
 * size). With F = fanIn = nIn·kH·kW, n = nOut, r the rank:
 * <pre>
 *   merged:      forward F·n, conv2d_bp 2·F·n (input gradient and full kernel gradient)   = 3·F·n
 *   factorised:  forward F·n + r·(F + n), backward 2·r·(F + n) (r-channel and 1x1 conv2d_bp,
 *                the former with its input gradient), input gradient through W: c·F·n
 *                                                                      = (1 + c)·F·n + 3·r·(F + n)
 * </pre>
 * where c = 0 without input gradient, 1 when it is one transposed convolution (stride 1, or a
 * strided 1x1 kernel), 2 when it takes a conv2d_bp (see {@link Conv2dOps#inputGradient}). The factorised path is taken when it is
 * not more expensive: 3·r·(F + n) ≤ (2 − c)·F·n; so never when c = 2.
 * Terms that do not grow with mb·oH·oW (building the merged kernel, projecting its gradient) are
 * left out; they only favour the factorised path further. For a 3x3 64→64 convolution at r = 4:
 * 7,680 ≤ 36,864 with dx, so factorised; a 1x1 64→64 convolution at r = 16: 6,144 &gt; 4,096 with
 * dx, so merged; a strided convolution whose input gradient is needed, merged.
 */
public final class ConvPathRule {

    private ConvPathRule() {
    }

    /**
     * @param fanIn         nIn·kH·kW
     * @param nOut          output channels
     * @param rank          r
     * @param inputGradientCost c: 0 without input gradient, 1 or 2 as the input gradient costs one or
     *                          two convolutions
     * @return {@link TrainingPath#FACTORISED} or {@link TrainingPath#MERGED}
     */
    public static TrainingPath choose(long fanIn, long nOut, long rank, int inputGradientCost) {
        double factorisedExtra = 3.0 * rank * (fanIn + nOut);
        double mergedExtra = (2.0 - inputGradientCost) * fanIn * nOut;
        return factorisedExtra <= mergedExtra ? TrainingPath.FACTORISED : TrainingPath.MERGED;
    }

    /** @return {@code requested} unless it is {@link TrainingPath#AUTO}, else {@link #choose} */
    public static TrainingPath resolve(TrainingPath requested, long fanIn, long nOut, long rank,
                                       int inputGradientCost) {
        return requested == TrainingPath.AUTO ? choose(fanIn, nOut, rank, inputGradientCost) : requested;
    }
}
