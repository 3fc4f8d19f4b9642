package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes adapters that stand in for trained ones, fast: per task, β of every NOLA layer and the new head
 * drawn at random from the task's seed (α kept), saved at 4 bits as {@code task<i>.nola}. Each computes
 * a different function of the same base; none has learnt anything. The head's weights have the spread of
 * a freshly initialised layer, 1/sqrt(fan-in) (Xavier), so its logits stay of order one: a spread of 0.1 on
 * ResNet50's 2,048 pooled features gave logits some 60 apart, where float rounding (the same in any order of
 * summation, 3e-5 relative in the pooled features) moved softmax outputs by 4e-4.
 */
public final class AdapterMaker {

    /** Bits per coefficient in the files; the coefficients are drawn on this grid, so saving changes nothing. */
    static final int BITS = 4;
    /**
     * Spread of the random β. With 1.0, ResNet50's logits grew so large that float rounding in the 53 layers (about
     * 1e-6 per layer, whichever path computes them) moved softmax outputs by 3e-5.
     */
    static final double BETA_SD = 0.2;

    private AdapterMaker() {
    }

    /**
     * @param first index of the first task (file {@code task<first>.nola})
     * @return the files written
     */
    public static List<Path> write(TransferResult<?> transfer, Path dir, int first, int count) throws IOException {
        Files.createDirectories(dir);
        AdaptedNetwork net = AdaptedNetwork.of(transfer.network());
        List<String> saved = new ArrayList<>();
        saved.add(transfer.headLayer());
        saved.addAll(transfer.trainableLayers());
        List<Path> files = new ArrayList<>();
        for (int t = first; t < first + count; t++) {
            randomise(net, saved, t);
            Path file = dir.resolve("task" + t + AdapterFiles.EXTENSION);
            AdapterFiles.save(net, file, "task" + t, saved, WriteOptions.quantized(BITS));
            files.add(file);
        }
        return files;
    }

    private static void randomise(AdaptedNetwork net, List<String> saved, long seed) {
        Random random = new Random(seed);
        for (Layer layer : net.adapterLayers()) {
            LayerAdapterKind kind = LayerAdapterKind.of(layer.conf().getLayer());
            fill(layer.getParam(kind.secondKey()), random, BETA_SD);
            for (String key : new String[] {kind.firstKey(), kind.secondKey()}) {   // on the 4-bit grid, as after QAT
                INDArray p = layer.getParam(key);
                float[] q = CoefficientQuantization.roundTrip(p.dup().data().asFloat(), BITS);
                p.assign(Nd4j.createFromArray(q).reshape(p.shape()).castTo(p.dataType()));
            }
        }
        for (String name : saved) {
            for (INDArray p : net.layer(name).paramTable().values()) {
                fill(p, random, p.rank() >= 2 ? 1 / Math.sqrt(fanIn(p)) : 0.1);
            }
        }
    }

    /** @return the inputs per output of a weight: nIn of a dense [nIn, nOut], nIn·kH·kW of a kernel [nOut, nIn, kH, kW] */
    static long fanIn(INDArray weight) {
        return weight.rank() == 2 ? weight.size(0) : weight.length() / weight.size(0);
    }

    private static void fill(INDArray p, Random random, double sd) {
        double[] v = new double[(int) p.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian() * sd;
        }
        p.assign(Nd4j.createFromArray(v).reshape(p.shape()).castTo(p.dataType()));
    }
}
