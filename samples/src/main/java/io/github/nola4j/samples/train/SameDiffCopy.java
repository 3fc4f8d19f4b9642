package io.github.nola4j.samples.train;

import io.github.nola4j.layers.network.BatchNormStatistics;
import io.github.nola4j.layers.ops.ConvOperation;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.ArrayList;
import java.util.List;

/**
 * A SameDiff graph that computes, in training mode, what a DL4J {@link MultiLayerNetwork} of NCHW
 * image layers computes in {@code fit()}, with the network's parameter values; and the way back.
 *
 * <p>Layers it translates (anything else is refused with the layer's name and type):
 * {@code ConvolutionLayer} (OIYX kernels permuted to YXIO; Same or Truncate mode), {@code BatchNormalization}
 * (normalised with the batch's mean and biased variance over n, h, w, as DL4J trains it:
 * y = γ·(x − μ)/√(σ² + ε) + β),
 * {@code ActivationLayer}, {@code SubsamplingLayer} (max, avg), {@code DropoutLayer} (inverted dropout as
 * DL4J's: x·m/p with m ~ Bernoulli(p), p the retain probability; the caller feeds m/p as a placeholder,
 * {@link #dropoutMasks}, since SameDiff's own dropout ops have no gradient; or nothing in a copy made
 * without dropout), {@code GlobalPoolingLayer}
 * (avg, max), {@code DenseLayer}, and a softmax {@code OutputLayer} or {@code LossLayer} with MCXENT
 * last, which becomes SameDiff's softmax cross-entropy averaged over the batch. Activations: ReLU and
 * identity; softmax in the output layer only.
 */
final class SameDiffCopy {

    static final String INPUT = "x";
    static final String LABEL = "label";
    static final String LOSS = "loss";

    private final SameDiff sd = SameDiff.create();
    private final List<Param> params = new ArrayList<>();
    private final List<BatchStatistics> batchNorms = new ArrayList<>();
    private final List<String> layerOutputs = new ArrayList<>();
    private final List<DropoutMask> dropoutMasks = new ArrayList<>();

    /** One network parameter and the SameDiff variable that holds it while the graph trains. */
    private record Param(int layer, String key, String variable, boolean kernel) {
    }

    /** The placeholder of one DropoutLayer's scaled keep-mask m/p, m ~ Bernoulli(retain) per input value. */
    record DropoutMask(int layer, String placeholder, double retain) {
    }

    /** The batch mean and variance variables of one BatchNormalization layer. */
    record BatchStatistics(int layer, String mean, String variance) {
    }

    private SameDiffCopy() {
    }

    /**
     * @param net     the network (only read); its parameter values become the graph's variables
     * @param dropout whether DropoutLayers drop (for training) or pass their input through
     * @throws IllegalArgumentException naming the first layer the graph cannot express
     */
    static SameDiffCopy of(MultiLayerNetwork net, boolean dropout) {
        SameDiffCopy copy = new SameDiffCopy();
        copy.build(net, dropout);
        return copy;
    }

    SameDiff graph() {
        return sd;
    }

    /** @return the batch statistics of every BatchNormalization layer, in network order */
    List<BatchStatistics> batchNorms() {
        return List.copyOf(batchNorms);
    }

    /** @return the keep-mask placeholders of the DropoutLayers, in network order (none without dropout) */
    List<DropoutMask> dropoutMasks() {
        return List.copyOf(dropoutMasks);
    }

    /** @return the name of the variable holding each layer's output, but the output layer's, in order */
    List<String> layerOutputs() {
        return List.copyOf(layerOutputs);
    }

    /** Writes the graph's current variable values into {@code net}'s parameters (same network it was made from). */
    void copyParamsTo(MultiLayerNetwork net) {
        for (Param p : params) {
            INDArray value = sd.getVariable(p.variable()).getArr();
            INDArray target = net.getLayer(p.layer()).getParam(p.key());
            target.assign((p.kernel() ? value.permute(3, 2, 0, 1) : value).reshape(target.shape()));
        }
    }

    private void build(MultiLayerNetwork net, boolean dropout) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        Layer first = conf.getConf(0).getLayer();
        if (first.getClass() != ConvolutionLayer.class) {
            throw refuse(first, 0, "a first layer that is not a ConvolutionLayer");
        }
        long channels = net.getLayer(0).getParam("W").size(1);
        SDVariable h = sd.placeHolder(INPUT, DataType.FLOAT, -1, channels, -1, -1);
        int n = conf.getConfs().size();
        for (int i = 0; i < n; i++) {
            Layer layer = conf.getConf(i).getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre instanceof CnnToFeedForwardPreProcessor cnn) {
                h = h.reshape(-1, cnn.getNumChannels() * cnn.getInputHeight() * cnn.getInputWidth());
            } else if (pre != null) {
                throw refuse(layer, i, "its input preprocessor " + pre.getClass().getSimpleName());
            }
            if (!(layer instanceof DropoutLayer) && layer instanceof BaseLayer base && base.getIDropout() != null) {
                throw refuse(layer, i, "dropout on the layer itself (" + base.getIDropout() + ")");
            }
            if (layer instanceof BaseOutputLayer || layer instanceof LossLayer) {
                if (i != n - 1) {
                    throw refuse(layer, i, "an output layer before the last layer");
                }
                SDVariable logits = layer instanceof OutputLayer ? dense(net, i, h) : h;
                lossOf(layer, i, logits);
                return;
            }
            h = translate(net, i, layer, h, dropout);
            layerOutputs.add(h.name());
        }
        throw new IllegalArgumentException("the network has no OutputLayer or LossLayer (softmax, MCXENT) last, "
                + "which SameDiffCopy needs to train it");
    }

    private SDVariable translate(MultiLayerNetwork net, int i, Layer layer, SDVariable h, boolean dropout) {
        if (layer.getClass() == ConvolutionLayer.class) {
            return activation(layer, i, conv(net, i, (ConvolutionLayer) layer, h));
        } else if (layer instanceof BatchNormalization bn) {
            return batchNorm(net, i, bn, h);
        } else if (layer instanceof ActivationLayer) {
            return activation(layer, i, h);
        } else if (layer.getClass() == SubsamplingLayer.class) {
            return pool(i, (SubsamplingLayer) layer, h);
        } else if (layer instanceof DropoutLayer d) {
            if (!dropout) {
                return h;
            }
            DropoutMask mask = new DropoutMask(i, i + "_keep", retainProbability(d, i));
            dropoutMasks.add(mask);
            return h.mul(sd.placeHolder(mask.placeholder(), DataType.FLOAT, -1, -1, -1, -1));
        } else if (layer instanceof GlobalPoolingLayer g) {
            return globalPool(i, g, h);
        } else if (layer instanceof DenseLayer) {
            return activation(layer, i, dense(net, i, h));
        }
        throw refuse(layer, i, "its type");
    }

    private SDVariable conv(MultiLayerNetwork net, int i, ConvolutionLayer c, SDVariable in) {
        INDArray w = net.getLayer(i).getParam("W"); // [nOut, nIn, kH, kW]
        SDVariable kernel = variable(i, "W", w.permute(2, 3, 1, 0).dup('c'), true);
        SDVariable bias = c.hasBias() ? variable(i, "b", net.getLayer(i).getParam("b").dup().reshape(w.size(0)),
                false) : null;
        if (c.getConvolutionMode() != ConvolutionMode.Same && c.getConvolutionMode() != ConvolutionMode.Truncate) {
            throw refuse(c, i, "convolution mode " + c.getConvolutionMode());
        }
        Conv2DConfig config = ConvOperation.of(c).conv2dConfig();
        return bias == null ? sd.cnn().conv2d(in, kernel, config) : sd.cnn().conv2d(in, kernel, bias, config);
    }

    private SDVariable batchNorm(MultiLayerNetwork net, int i, BatchNormalization bn, SDVariable x) {
        if (bn.isLockGammaBeta()) {
            throw refuse(bn, i, "lockGammaBeta(true)");
        }
        INDArray gammaValue = net.getLayer(i).getParam(BatchNormalizationParamInitializer.GAMMA);
        long channels = gammaValue.length();
        long[] shape = {1, channels, 1, 1};
        SDVariable gamma = variable(i, BatchNormalizationParamInitializer.GAMMA, gammaValue.dup().reshape(shape),
                false);
        SDVariable beta = variable(i, BatchNormalizationParamInitializer.BETA,
                net.getLayer(i).getParam(BatchNormalizationParamInitializer.BETA).dup().reshape(shape), false);
        SDVariable mean = x.mean(true, 0, 2, 3).rename(i + "_batchMean");
        SDVariable centred = x.sub(mean);
        SDVariable variance = centred.mul(centred).mean(true, 0, 2, 3).rename(i + "_batchVar");
        batchNorms.add(new BatchStatistics(i, mean.name(), variance.name()));
        return centred.div(sd.math().sqrt(variance.add(bn.getEps()))).mul(gamma).add(beta);
    }

    private SDVariable pool(int i, SubsamplingLayer s, SDVariable in) {
        Pooling2D.Pooling2DType type = switch (s.getPoolingType()) {
            case MAX -> Pooling2D.Pooling2DType.MAX;
            case AVG -> Pooling2D.Pooling2DType.AVG;
            default -> throw refuse(s, i, "pooling type " + s.getPoolingType());
        };
        boolean same = s.getConvolutionMode() == ConvolutionMode.Same;
        Pooling2DConfig config = Pooling2DConfig.builder().kH(s.getKernelSize()[0]).kW(s.getKernelSize()[1])
                .sH(s.getStride()[0]).sW(s.getStride()[1]).pH(same ? 0 : s.getPadding()[0])
                .pW(same ? 0 : s.getPadding()[1]).dH(s.getDilation()[0]).dW(s.getDilation()[1])
                .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID)
                .extra(s.isAvgPoolIncludePadInDivisor() ? 1 : 0).type(type).isNHWC(false).build();
        return type == Pooling2D.Pooling2DType.MAX ? sd.cnn().maxPooling2d(in, config)
                : sd.cnn().avgPooling2d(in, config);
    }

    private SDVariable globalPool(int i, GlobalPoolingLayer g, SDVariable in) {
        if (!g.isCollapseDimensions()) {
            throw refuse(g, i, "collapseDimensions(false)");
        }
        if (g.getPoolingType() == PoolingType.AVG) {
            return in.mean(2, 3);
        } else if (g.getPoolingType() == PoolingType.MAX) {
            return in.max(2, 3);
        }
        throw refuse(g, i, "pooling type " + g.getPoolingType());
    }

    private SDVariable dense(MultiLayerNetwork net, int i, SDVariable in) {
        SDVariable w = variable(i, "W", net.getLayer(i).getParam("W").dup('c'), false);
        SDVariable b = variable(i, "b", net.getLayer(i).getParam("b").dup('c'), false);
        return in.mmul(w).add(b);
    }

    private SDVariable activation(Layer layer, int i, SDVariable in) {
        IActivation fn = activationOf(layer);
        if (fn instanceof ActivationReLU) {
            return sd.nn().relu(in, 0);
        } else if (fn instanceof ActivationIdentity) {
            return in;
        }
        throw refuse(layer, i, "activation " + fn + " (ReLU and identity are translated)");
    }

    private void lossOf(Layer layer, int i, SDVariable logits) {
        var lossFn = layer instanceof BaseOutputLayer o ? o.getLossFn() : ((LossLayer) layer).getLossFn();
        if (!(lossFn instanceof LossMCXENT) || !(activationOf(layer) instanceof ActivationSoftmax)) {
            throw refuse(layer, i, "loss " + lossFn + " with activation " + activationOf(layer)
                    + " (softmax with MCXENT is translated)");
        }
        SDVariable label = sd.placeHolder(LABEL, DataType.FLOAT, -1, -1);
        sd.loss().softmaxCrossEntropy(LOSS, label, logits, null);
        sd.setLossVariables(LOSS);
    }

    private SDVariable variable(int layer, String key, INDArray value, boolean kernel) {
        String name = layer + "_" + key;
        params.add(new Param(layer, key, name, kernel));
        return sd.var(name, value);
    }

    private static IActivation activationOf(Layer layer) {
        return layer instanceof BaseLayer b ? b.getActivationFn() : ((ActivationLayer) layer).getActivationFn();
    }

    private static double retainProbability(DropoutLayer d, int i) {
        IDropout dropout = d.getIDropout();
        if (dropout instanceof Dropout plain && plain.getPSchedule() == null) {
            return plain.getP();
        }
        throw refuse(d, i, "dropout " + dropout + " (a fixed Dropout(p) is translated)");
    }

    private static IllegalArgumentException refuse(Layer layer, int i, String what) {
        return new IllegalArgumentException("layer " + i + " \"" + layer.getLayerName() + "\" ("
                + layer.getClass().getSimpleName() + "): SameDiffCopy cannot translate " + what);
    }

    /**
     * Sets the running statistics of BatchNormalization layer {@code layer} of {@code net} to this
     * mean and (biased) variance, in the layer's encoding ({@link BatchNormStatistics}).
     */
    static void setRunningStatistics(MultiLayerNetwork net, int layer, INDArray mean, INDArray variance) {
        BatchNormStatistics.set(net.getLayer(layer), mean, variance);
    }
}
