package io.github.nola4j.zoo;

import io.github.nola4j.layers.NolaLayer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every convolution and dense layer of DL4J zoo models adapted: parity at step 0, one fit step
 * that moves only coefficients and head, save and restore. Models are built with {@code init()}
 * at reduced input sizes for 2 CPU cores.
 */
class ZooModelsTest {

    private static final Logger log = LoggerFactory.getLogger(ZooModelsTest.class);
    private static final int CLASSES = 5;

    @TempDir
    File dir;

    @Test
    void leNet() throws Exception {
        check(LeNet.builder().numClasses(10).build(), new long[] {1, 28, 28}, null);
    }

    @Test
    void simpleCnn() throws Exception {
        check(SimpleCNN.builder().numClasses(10).inputShape(new int[] {3, 48, 48}).build(), new long[] {3, 48, 48},
                LossFunctions.LossFunction.MCXENT);
    }

    @Test
    void alexNet() throws Exception {
        check(AlexNet.builder().numClasses(10).inputShape(new int[] {3, 64, 64}).build(), new long[] {3, 64, 64}, null);
    }

    @Test
    void vgg16() throws Exception {
        check(VGG16.builder().numClasses(10).inputShape(new int[] {3, 32, 32}).build(), new long[] {3, 32, 32}, null);
    }

    @Test
    void resNet50() throws Exception {
        check(ResNet50.builder().numClasses(10).inputShape(new int[] {3, 96, 96}).build(), new long[] {3, 96, 96}, null);
    }

    @Test
    void squeezeNet() throws Exception {
        check(SqueezeNet.builder().numClasses(10).inputShape(new int[] {3, 96, 96}).build(), new long[] {3, 96, 96},
                null);
    }

    @Test
    void darknet19() throws Exception {
        check(Darknet19.builder().numClasses(10).inputShape(new int[] {3, 64, 64}).build(), new long[] {3, 64, 64},
                null);
    }

    private void check(ZooModel<?> zoo, long[] inputShape, LossFunctions.LossFunction addLoss) throws Exception {
        String name = zoo.getClass().getSimpleName();
        Model base = zoo.init();
        Map<String, INDArray> sourceBefore = Fixtures.snapshot(Fixtures.layersOf(base));
        long start = System.nanoTime();
        TransferResult<? extends Model> r = transfer(base, addLoss);
        long swapMs = (System.nanoTime() - start) / 1_000_000;
        Model net = r.network();
        log.info("{}: swapped {} layers in {} ms; {}", name, r.adaptedLayers().size(), swapMs, r.summary());
        assertFalse(r.adaptedLayers().isEmpty());

        DataSet d = Fixtures.data(DataType.FLOAT, 2, inputShape, CLASSES, 3);
        assertParity(name, activations(base, d.getFeatures()), activations(net, d.getFeatures()), r.adaptedLayers());

        Map<String, INDArray> before = Fixtures.snapshot(Fixtures.layersOf(net));
        long fitStart = System.nanoTime();
        fit(net, d);
        long fitMs = (System.nanoTime() - fitStart) / 1_000_000;
        Map<String, INDArray> after = Fixtures.snapshot(Fixtures.layersOf(net));
        List<String> movedBetas = new ArrayList<>();
        before.forEach((k, v) -> {
            boolean same = Fixtures.bitIdentical(v, after.get(k));
            if (k.startsWith(r.headLayer() + "/") || k.endsWith("/" + NolaLayer.ALPHA_KEY)) {
                return;
            }
            if (k.endsWith("/" + NolaLayer.BETA_KEY)) {
                if (!same) {
                    movedBetas.add(k);
                }
            } else {
                assertTrue(same, name + ": frozen parameter " + k + " changed in fit()");
            }
        });
        assertFalse(movedBetas.isEmpty(), name + ": no β moved");
        assertFalse(Fixtures.bitIdentical(before.get(r.headLayer() + "/W"), after.get(r.headLayer() + "/W")),
                name + ": head did not train");
        Fixtures.assertBitIdentical(sourceBefore, Fixtures.snapshot(Fixtures.layersOf(base)), name + " source");

        File file = new File(dir, name + ".zip");
        ModelSerializer.writeModel(net, file, false);
        Model restored = net instanceof MultiLayerNetwork ? ModelSerializer.restoreMultiLayerNetwork(file, false)
                : ModelSerializer.restoreComputationGraph(file, false);
        assertTrue(Fixtures.bitIdentical(net.params(), restored.params()), name + ": restored parameters");
        assertParity(name + " restored", activations(net, d.getFeatures()), activations(restored, d.getFeatures()),
                r.adaptedLayers());
        log.info("{}: updater state {} values (full fine-tuning with Adam: {}), fit step {} ms", name,
                updaterState(net), 2 * net.numParams(), fitMs);
    }

    private static TransferResult<? extends Model> transfer(Model base, LossFunctions.LossFunction addLoss) {
        FineTuneConfiguration ft = new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).build();
        if (base instanceof MultiLayerNetwork mln) {
            NolaTransfer<MultiLayerNetwork> t = NolaTransfer.of(mln);
            if (addLoss != null) {
                t.outputLoss(addLoss);
            }
            return t.targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE).rank(4).numBases(16, 16).replaceHead(CLASSES)
                    .fineTuneConfiguration(ft).build();
        }
        return NolaTransfer.of((ComputationGraph) base).targetKinds(LayerKind.CONVOLUTION, LayerKind.DENSE).rank(4)
                .numBases(16, 16).replaceHead(CLASSES).fineTuneConfiguration(ft).build();
    }

    private static void fit(Model m, DataSet d) {
        if (m instanceof MultiLayerNetwork mln) {
            mln.fit(d);
        } else {
            ((ComputationGraph) m).fit(d);
        }
    }

    private static long updaterState(Model m) {
        INDArray state = m instanceof MultiLayerNetwork mln ? mln.getUpdater().getStateViewArray()
                : ((ComputationGraph) m).getUpdater().getStateViewArray();
        return state == null ? 0 : state.length();
    }

    /** @return activations in inference mode by layer name */
    private static Map<String, INDArray> activations(Model m, INDArray x) {
        if (m instanceof ComputationGraph cg) {
            return cg.feedForward(x, false);
        }
        MultiLayerNetwork mln = (MultiLayerNetwork) m;
        List<INDArray> acts = mln.feedForward(x, false);
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < mln.getLayers().length; i++) {
            out.put(NetworkEditor.nameOf(mln.getLayer(i).conf().getLayer(), i), acts.get(i + 1));
        }
        return out;
    }

    /** Adapted layers' activations equal the base's (relative to their scale); NaN in the base is skipped. */
    private static void assertParity(String model, Map<String, INDArray> base, Map<String, INDArray> adapted,
                                     List<String> layers) {
        int compared = 0;
        for (String layer : layers) {
            INDArray a = base.get(layer);
            INDArray b = adapted.get(layer);
            double scale = a.amaxNumber().doubleValue();
            if (!Double.isFinite(scale)) {
                continue; // untrained zoo ResNet50 can overflow in inference mode
            }
            double diff = a.sub(b).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * Math.max(1, scale), model + "/" + layer + ": differs by " + diff
                    + " at scale " + scale);
            compared++;
        }
        assertTrue(compared >= layers.size() / 2, model + ": only " + compared + " finite layers compared");
        log.info("{}: parity checked on {} of {} adapted layers", model, compared, layers.size());
    }
}
