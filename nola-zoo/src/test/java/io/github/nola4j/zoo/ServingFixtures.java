package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterBank;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adapters with distinct random coefficients and heads, and the single-adapter reference outputs. */
final class ServingFixtures {

    private ServingFixtures() {
    }

    /**
     * Writes {@code n} adapters of the transfer's network: β (and the saved layers: head, trainable
     * BatchNorm) drawn at random per task, α moved a little, so that every task computes another function.
     * Leaves the network's β (LoRA: B) at 0, i.e. ΔW = 0, and the last task's head.
     *
     * @return name → adapter as written (4-bit when {@code bits} is 4, fp32 for 0)
     */
    static Map<String, Adapter> write(TransferResult<?> r, Path dir, int n, long seed, int bits) throws IOException {
        Model net = r.network();
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        Map<String, Adapter> out = new LinkedHashMap<>();
        for (int t = 0; t < n; t++) {
            Nd4j.getRandom().setSeed(seed + t);
            for (Layer layer : adapted.adapterLayers()) {
                LayerAdapterKind kind = LayerAdapterKind.of(layer.conf().getLayer());
                INDArray second = layer.getParam(kind.secondKey());
                second.assign(Nd4j.randn(second.dataType(), second.shape()).muli(0.5));
                INDArray first = layer.getParam(kind.firstKey());
                first.addi(Nd4j.randn(first.dataType(), first.shape()).muli(0.05));
            }
            for (String name : r.settings().savedLayers()) {
                for (INDArray p : adapted.layer(name).paramTable().values()) {
                    p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.3));
                }
            }
            String name = "task" + t;
            out.put(name, r.saveAdapter(dir.resolve(name + ".nola"), name,
                    bits == 0 ? WriteOptions.fp32() : WriteOptions.quantized(bits)));
        }
        for (Layer layer : adapted.adapterLayers()) {
            layer.getParam(LayerAdapterKind.of(layer.conf().getLayer()).secondKey()).assign(0);   // ΔW = 0: the base
        }
        // the bank fills a task's missing head from its binary32 capture of the base: make the base head binary32
        for (String name : r.settings().savedLayers()) {
            for (INDArray p : adapted.layer(name).paramTable().values()) {
                p.assign(p.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).castTo(p.dataType()));
            }
        }
        return out;
    }

    /** @return {@code a} without its extra tensors: a task that keeps the base's head */
    static Adapter withoutExtras(Adapter a) {
        return new Adapter(a.task(), a.generatorId(), a.generatorVersion(), a.baseFingerprint(), a.layers(), List.of());
    }

    /**
     * Row by row, what each row's adapter alone gives on a separate copy of the base through an AdapterBank;
     * base rows from the copy before any adapter is activated (the bank's useBase restores the head from its
     * binary32 capture, which differs from a double network's own head in the last bits).
     */
    static INDArray expected(Model copy, List<String> savedLayers, Map<String, Adapter> adapters, INDArray x,
                             List<String> perRow) {
        INDArray[] rows = new INDArray[perRow.size()];
        for (int i = 0; i < perRow.size(); i++) {
            if (MixedAdapterNetwork.BASE.equals(perRow.get(i))) {
                rows[i] = output(copy, x.get(NDArrayIndex.interval(i, i + 1)));
            }
        }
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(copy), savedLayers, LoadOptions.STRICT);
        adapters.forEach(bank::add);
        for (int i = 0; i < perRow.size(); i++) {
            if (!MixedAdapterNetwork.BASE.equals(perRow.get(i))) {
                bank.activate(perRow.get(i));
                rows[i] = output(copy, x.get(NDArrayIndex.interval(i, i + 1)));
            }
        }
        return Nd4j.concat(0, rows);
    }

    /** @return name → the whole batch {@code x} through that adapter alone (bank), and {@link MixedAdapterNetwork#BASE} */
    static Map<String, INDArray> expectedPerAdapter(Model copy, List<String> savedLayers, Map<String, Adapter> adapters,
                                                    INDArray x) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(MixedAdapterNetwork.BASE, output(copy, x));
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(copy), savedLayers, LoadOptions.STRICT);
        adapters.forEach(bank::add);
        for (String name : adapters.keySet()) {
            bank.activate(name);
            out.put(name, output(copy, x));
        }
        return out;
    }

    static INDArray output(Model net, INDArray x) {
        return net instanceof MultiLayerNetwork mln ? mln.output(x, false)
                : ((ComputationGraph) net).outputSingle(false, x);
    }

    /** Asserts every row of {@code got} within {@code tolerance} of {@code want}, relative to the row's largest value. */
    static void assertRowsClose(INDArray want, INDArray got, double tolerance, String what) {
        assertTrue(java.util.Arrays.equals(want.shape(), got.shape()), what + ": shape");
        for (int i = 0; i < want.size(0); i++) {
            INDArray w = want.get(NDArrayIndex.point(i));
            INDArray g = got.get(NDArrayIndex.point(i));
            double scale = Math.max(w.amaxNumber().doubleValue(), Double.MIN_NORMAL);
            double diff = w.sub(g).amaxNumber().doubleValue();
            assertTrue(diff <= tolerance * scale, what + ": row " + i + " differs by " + diff + " (largest value "
                    + scale + ", tolerance " + tolerance + " relative)");
        }
    }
}
