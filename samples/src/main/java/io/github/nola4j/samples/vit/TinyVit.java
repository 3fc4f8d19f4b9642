package io.github.nola4j.samples.vit;

import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * A small vision transformer as a SameDiff graph, in the shape of ViT (Dosovitskiy et al.) with
 * pre-norm blocks and mean pooling. Tokens are kept as a matrix [n·T, D] so that every projection is
 * a plain x·W (what {@code NolaGraphTransfer} adapts); shapes for n images, T patches, D = width,
 * H heads of d = D / H:
 * <pre>
 *   x [n, 1, S, S] → patches [n·T, p²] → h = patches·W_patch + b + pos          [n·T, D]
 *   block i:  a = LN1(h);  q, k, v = a·W_q + b_q, a·W_k + b_k, a·W_v + b_v       [n·T, D]
 *             per head: softmax(q·kᵀ / √d)·v                                   [n, H, T, d]
 *             h = h + concat_heads(..)·W_o + b_o
 *             h = h + GELU(LN2(h)·W_fc1 + b_fc1)·W_fc2 + b_fc2
 *   logits = mean_T(LN(h))·W_head + b_head                                      [n, classes]
 * </pre>
 * The loss is softmax cross-entropy with label smoothing {@link #LABEL_SMOOTHING} (the NOLA ViT code's).
 * Weights are named {@code patch/W}, {@code block<i>/<q|k|v|o|fc1|fc2>/W}, {@code head/W}, each with a
 * bias {@code .../b}; weights start N(0, 0.02²) as in timm, biases at 0, LayerNorm gains at 1.
 */
public final class TinyVit {

    /** Placeholder of the images [n, 1, S, S] in [0, 1]. */
    public static final String INPUT = "input";
    /** Placeholder of the one-hot labels [n, classes]. */
    public static final String LABEL = "label";
    /** Class probabilities [n, classes]. */
    public static final String PROBABILITIES = "probabilities";
    /** The training loss. */
    public static final String LOSS = "loss";
    /** Prefix of the classifier's variables, the part a transfer replaces. */
    public static final String HEAD_PREFIX = "head/";
    /** Label smoothing of the loss, as the NOLA ViT code trains. */
    public static final double LABEL_SMOOTHING = 0.1;
    /** Standard deviation of the initial weights and position embedding (timm's). */
    public static final double INIT_STD = 0.02;

    private TinyVit() {
    }

    /** @return the name of the weight of projection {@code projection} (q, k, v, o, fc1, fc2) in block {@code block} */
    public static String weight(int block, String projection) {
        return "block" + block + "/" + projection + "/W";
    }

    /** @return a fresh graph of {@code shape} with {@code classes} outputs, initialised from {@code seed} */
    public static SameDiff build(VitShape shape, int classes, long seed) {
        SameDiff sd = SameDiff.create();
        Random random = new Random(seed);
        int side = shape.imageSize() / shape.patch();
        int t = shape.tokens();
        int d = shape.width();
        int pixels = shape.patch() * shape.patch();
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, 1, shape.imageSize(), shape.imageSize());
        SDVariable y = sd.placeHolder(LABEL, DataType.FLOAT, -1, classes);
        SDVariable patches = x.reshape(-1, side, shape.patch(), side, shape.patch()).permute(0, 1, 3, 2, 4)
                .reshape(-1, pixels);
        SDVariable h = linear(sd, "patch", patches, pixels, d, random).reshape(-1, t, d)
                .add(sd.var("pos", normal(random, t, d))).reshape(-1, d);
        for (int b = 0; b < shape.depth(); b++) {
            h = block(sd, "block" + b, h, shape, random);
        }
        SDVariable pooled = layerNorm(sd, "norm", h, d).reshape(-1, t, d).mean(1);
        SDVariable logits = linear(sd, "head", pooled, d, classes, random);
        sd.nn().softmax(PROBABILITIES, logits, 1);
        sd.loss().softmaxCrossEntropy(LOSS, y, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, LABEL_SMOOTHING);
        sd.setLossVariables(LOSS);
        return sd;
    }

    private static SDVariable block(SameDiff sd, String name, SDVariable h, VitShape s, Random random) {
        int d = s.width();
        SDVariable a = layerNorm(sd, name + "/ln1", h, d);
        SDVariable q = heads(linear(sd, name + "/q", a, d, d, random), s);
        SDVariable k = heads(linear(sd, name + "/k", a, d, d, random), s);
        SDVariable v = heads(linear(sd, name + "/v", a, d, d, random), s);
        SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(s.headWidth()));
        SDVariable attended = sd.mmul(sd.nn().softmax(scores, 3), v).permute(0, 2, 1, 3).reshape(-1, d);
        h = h.add(linear(sd, name + "/o", attended, d, d, random));
        SDVariable m = sd.nn().gelu(linear(sd, name + "/fc1", layerNorm(sd, name + "/ln2", h, d), d, s.mlpWidth(),
                random));
        return h.add(linear(sd, name + "/fc2", m, s.mlpWidth(), d, random));
    }

    /** [n·T, D] → [n, H, T, d] */
    private static SDVariable heads(SDVariable tokens, VitShape s) {
        return tokens.reshape(-1, s.tokens(), s.heads(), s.headWidth()).permute(0, 2, 1, 3);
    }

    private static SDVariable linear(SameDiff sd, String name, SDVariable in, int nIn, int nOut, Random random) {
        SDVariable w = sd.var(name + "/W", normal(random, nIn, nOut));
        SDVariable b = sd.var(name + "/b", Nd4j.zeros(DataType.FLOAT, 1, nOut));
        return in.mmul(w).add(b);
    }

    private static SDVariable layerNorm(SameDiff sd, String name, SDVariable in, int d) {
        SDVariable gain = sd.var(name + "/gain", Nd4j.ones(DataType.FLOAT, d));
        SDVariable bias = sd.var(name + "/bias", Nd4j.zeros(DataType.FLOAT, d));
        return sd.nn().layerNorm(in, gain, bias, false, 1);
    }

    private static INDArray normal(Random random, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (INIT_STD * random.nextGaussian());
        }
        return Nd4j.create(v, new long[] {rows, cols}, 'c');
    }
}
