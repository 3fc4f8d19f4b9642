package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterCapture;
import io.github.nola4j.layers.adapter.format.Adapter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Replicas share the base's parameter buffer; the factor cache keeps to its byte budget, least recently used out;
 * a thread's mixed passes reuse one workspace block.
 */
class ReplicaAndCacheTest {

    static MultiLayerNetwork net() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new NolaConv2d.Builder().name("conv").nOut(4).kernelSize(3, 3).rank(2).numBasesA(8)
                        .numBasesB(8).basisSeed(11).scale(0.5).activation(Activation.RELU).build())
                .layer(new NolaDense.Builder().name("dense").nOut(5).rank(2).numBasesA(8).numBasesB(8)
                        .basisSeed(12).scale(0.5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().name("head").nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void replicaReadsTheBaseParameterBufferItself() {
        MultiLayerNetwork base = net();
        NetworkReplica replica = NetworkReplica.of(base, new FactorCache(0));
        MultiLayerNetwork copy = ((LayerStackReplica) replica).network();
        for (int i = 0; i < base.getLayers().length; i++) {
            for (String key : base.getLayer(i).paramTable().keySet()) {
                assertEquals(base.getLayer(i).getParam(key).data().address(),
                        copy.getLayer(i).getParam(key).data().address(), "layer " + i + " " + key + " is a copy");
                assertEquals(base.getLayer(i).getParam(key).offset(), copy.getLayer(i).getParam(key).offset());
            }
        }
        assertNotSame(base.getLayer(0), copy.getLayer(0), "each replica runs its own layer objects");
    }

    @Test
    void cacheKeepsToItsBudgetAndEvictsTheLeastRecentlyUsed() {
        MultiLayerNetwork base = net();
        AdaptedNetwork adapted = AdaptedNetwork.of(base);
        Layer conv = adapted.adapterLayers().get(0);
        long convBytes = (conv.conf().getLayer() instanceof NolaLayer n ? n.fanIn() * 2 + 2 * 4 : 0) * 4;
        ResidentAdapters adapters = new ResidentAdapters(adapted, io.github.nola4j.layers.adapter.LoadOptions.STRICT,
                2 * convBytes);   // less than one adapter's factors in both layers: built per layer
        FactorCache cache = adapters.factors();
        for (int t = 0; t < 3; t++) {
            base.getLayer(0).getParam(NolaLayer.BETA_KEY).assign(Nd4j.rand(DataType.FLOAT, 1, 8));
            Adapter a = AdapterCapture.capture(adapted, "t" + t, List.of());
            adapters.add("t" + t, a);
        }
        ResidentAdapter t0 = adapters.get("t0");
        ResidentAdapter t1 = adapters.get("t1");
        ResidentAdapter t2 = adapters.get("t2");
        var u0 = cache.update(t0, 0, conv);
        cache.update(t1, 0, conv);
        assertEquals(2 * convBytes, cache.bytes());
        assertSame(u0, cache.update(t0, 0, conv), "a hit returns the cached factors");
        cache.update(t2, 0, conv);                      // evicts t1, the least recently used
        assertEquals(2 * convBytes, cache.bytes());
        assertSame(u0, cache.update(t0, 0, conv));
        long misses = cache.counts()[1];
        cache.update(t1, 0, conv);
        assertEquals(misses + 1, cache.counts()[1], "t1 was evicted and is rebuilt");
        adapters.remove("t0");
        assertTrue(cache.bytes() <= 2 * convBytes);
        assertEquals(List.of("t1", "t2"), adapters.names());
        // the factors are the layer's own: A and s·B of the adapter's coefficients
        var layerOwn = ((NolaLayer) conv.conf().getLayer()).update(java.util.Map.of(NolaLayer.ALPHA_KEY,
                t2.coefficients(0)[0], NolaLayer.BETA_KEY, t2.coefficients(0)[1]));
        assertEquals(layerOwn.b(), cache.update(t2, 0, conv).b());
    }

    @Test
    void theBuilderThreadBuildsAnAddedAdaptersFactorsSoItsFirstRequestFindsThem() throws Exception {
        MixedAdapterNetwork served = servedWithRandomAdapters(2);
        assertTrue(served.factors().awaitBuilds(20_000));
        long[] afterAdds = served.factors().counts();
        assertEquals(4, afterAdds[1], "the builder built both adapters' factors in both adapter layers");
        assertEquals(2 * wholeAdapterBytes(), served.factors().bytes());
        served.output(Nd4j.rand(DataType.FLOAT, 3, 1, 6, 6), List.of("t1", "t0", MixedAdapterNetwork.BASE));
        long[] afterPass = served.factors().counts();
        assertEquals(afterAdds[1], afterPass[1], "the first pass built nothing");
        assertTrue(afterPass[0] > afterAdds[0], "it found them cached");
        served.adapters().remove("t1");
        assertEquals(wholeAdapterBytes(), served.factors().bytes(), "a removal drops its factors");
    }

    @Test
    void aWholeAdapterBuildEvictsTheLeastRecentlyUsedAdapter() throws Exception {
        MultiLayerNetwork base = net();
        AdaptedNetwork adapted = AdaptedNetwork.of(base);
        ResidentAdapters adapters = new ResidentAdapters(adapted, io.github.nola4j.layers.adapter.LoadOptions.STRICT,
                wholeAdapterBytes());   // room for one adapter's factors
        FactorCache cache = adapters.factors();
        for (int t = 0; t < 2; t++) {
            base.getLayer(0).getParam(NolaLayer.BETA_KEY).assign(Nd4j.rand(DataType.FLOAT, 1, 8));
            adapters.add("t" + t, AdapterCapture.capture(adapted, "t" + t, List.of()));
        }
        assertTrue(cache.awaitBuilds(20_000));
        cache.evict(adapters.get("t0"));   // whatever the builder kept (one of them fits), requests build from here
        cache.evict(adapters.get("t1"));
        long m = cache.counts()[1];
        Layer dense = adapted.adapterLayers().get(1);
        var u0 = cache.update(adapters.get("t0"), 1, dense);
        assertEquals(m + 2, cache.counts()[1], "the miss built both of t0's layers");
        assertSame(u0, cache.update(adapters.get("t0"), 1, dense));
        cache.update(adapters.get("t1"), 0, adapted.adapterLayers().get(0));
        assertEquals(m + 4, cache.counts()[1]);
        assertEquals(wholeAdapterBytes(), cache.bytes(), "t1's build evicted t0's factors");
        assertNotSame(u0, cache.update(adapters.get("t0"), 1, dense), "t0 is rebuilt");
        assertEquals(m + 6, cache.counts()[1]);
    }

    /** @return the bytes of one adapter's factors in {@link #net()}: Σ (fanIn + nOut)·r floats */
    private static long wholeAdapterBytes() {
        return new AdapterFactors(AdaptedNetwork.of(net()).adapterLayers()).bytes();
    }

    @Test
    void repeatedMixedPassesReuseOneWorkspaceBlockAndReturnDetachedOutputs() {
        MixedAdapterNetwork served = servedWithRandomAdapters(2);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 6, 6);
        List<String> rows = List.of("t1", MixedAdapterNetwork.BASE, "t0", "t1");
        INDArray first = served.output(x, rows);
        for (int i = 0; i < 4; i++) {
            served.output(x, rows);
        }
        Nd4jWorkspace ws = (Nd4jWorkspace) Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ServingWorkspace.ID);
        long size = ws.getCurrentSize();
        long cycles = ws.getCyclesCount();
        for (int i = 0; i < 30; i++) {
            INDArray y = served.output(x, rows);
            assertFalse(y.isAttached(), "the output is the caller's, outside the workspace");
            assertEquals(first, y);
        }
        assertEquals(cycles + 30, ws.getCyclesCount(), "each pass is one cycle of the thread's serving workspace");
        assertEquals(size, ws.getCurrentSize(), "the block is reused, not grown");
        assertEquals(0, ws.getSpilledSize(), "nothing spilled outside the block");
        long activationBytes = 4 * (4 * 4 * 4 + 5) * 4;    // at least conv [4, 4, 4, 4] and dense [4, 5], float
        assertTrue(ws.getLastCycleAllocations() >= activationBytes, "the layers' arrays were made in the workspace: "
                + ws.getLastCycleAllocations() + " bytes");
        assertFalse(Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread(), "the scope is closed");
    }

    @Test
    void outputRowsMatchesOutputAndMakesItsInputInTheWorkspace() {
        MixedAdapterNetwork served = servedWithRandomAdapters(2);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, 6, 6);
        List<String> rows = List.of("t0", "t1", MixedAdapterNetwork.BASE);
        float[][] want = served.output(x, rows).toFloatMatrix();
        served.outputRows(x.data().asFloat(), x.shape(), rows);
        Nd4jWorkspace ws = (Nd4jWorkspace) Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ServingWorkspace.ID);
        long cycles = ws.getCyclesCount();
        float[][] got = served.outputRows(x.data().asFloat(), x.shape(), rows);
        assertEquals(cycles + 1, ws.getCyclesCount(), "the input and the pass are one cycle");
        assertEquals(0, ws.getSpilledSize());
        assertTrue(ws.getLastCycleAllocations() >= x.length() * 4L, "the input was made in the workspace");
        assertFalse(Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread(), "the scope is closed");
        for (int i = 0; i < want.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(want[i], got[i], "row " + i);
        }
    }

    /** @return a mixed network over {@link #net()} holding adapters "t0" .. "t(n-1)", each of random β */
    private static MixedAdapterNetwork servedWithRandomAdapters(int n) {
        MultiLayerNetwork base = net();
        AdaptedNetwork adapted = AdaptedNetwork.of(base);
        MixedAdapterNetwork served = MixedAdapterNetwork.of(base, 1L << 20);
        for (int t = 0; t < n; t++) {
            base.getLayer(0).getParam(NolaLayer.BETA_KEY).assign(Nd4j.rand(DataType.FLOAT, 1, 8));
            served.adapters().add("t" + t, AdapterCapture.capture(adapted, "t" + t, List.of()));
        }
        return served;
    }

    /** @return the workspace bytes of a new thread after each batch, the first one reserved for 8 rows if asked */
    private static List<Long> blockAfterEachBatch(MixedAdapterNetwork served, boolean reserve,
                                                  List<List<String>> batches) throws Exception {
        java.util.concurrent.FutureTask<List<Long>> task = new java.util.concurrent.FutureTask<>(() -> {
            List<Long> sizes = new java.util.ArrayList<>();
            if (reserve) {
                sizes.add(served.reserveWorkspace(new long[] {1, 6, 6}, 8));
                assertEquals(sizes.get(0), ServingWorkspace.threadBytes());
            }
            for (List<String> rows : batches) {
                INDArray y = served.output(Nd4j.rand(DataType.FLOAT, rows.size(), 1, 6, 6), rows);
                assertEquals(rows.size(), y.size(0));
                sizes.add(ServingWorkspace.threadBytes());
            }
            return sizes;
        });
        Thread t = new Thread(task);   // a thread of its own: a fresh workspace
        t.start();
        return task.get();
    }

    @Test
    void aReservedWorkspaceHoldsEveryBatchUpToItsRowsWithoutGrowing() throws Exception {
        MixedAdapterNetwork served = servedWithRandomAdapters(3);
        String b = MixedAdapterNetwork.BASE;
        List<List<String>> batches = List.of(List.of("t0"), List.of("t0", "t1", b),
                List.of("t2", "t2", "t2", "t2", "t2"), List.of("t0", "t1", "t2", b, "t0", "t1", "t2", "t0"),
                List.of(b, b, b, b, b, b, b, b));
        List<Long> grown = blockAfterEachBatch(served, false, batches);
        assertTrue(grown.get(3) > grown.get(0), "unreserved, the block grows with the batches: " + grown);
        List<Long> reserved = blockAfterEachBatch(served, true, batches);
        assertTrue(reserved.get(0) > 0);
        for (long size : reserved) {
            assertEquals(reserved.get(0), size, "reserved for 8 rows, no batch of at most 8 grows it: " + reserved);
        }
    }

    @Test
    void requestsAndAdditionsRunWhileAnAdaptersFirstRequestBuildsItsFactors() throws Exception {
        MixedAdapterNetwork served = servedWithRandomAdapters(2);
        ResidentAdapter t0 = served.adapters().get("t0");
        ResidentAdapter t1 = served.adapters().get("t1");
        List<Layer> layers = AdaptedNetwork.of(net()).adapterLayers();   // the factors depend on the configuration
        AdapterFactors whole = new AdapterFactors(layers);
        java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // t0's first request, held in its build while the others run
        FactorCache cache = heldBuild(whole, building, release, a -> a == t0);
        java.util.concurrent.FutureTask<Object> first = new java.util.concurrent.FutureTask<>(
                () -> cache.update(t0, 1, layers.get(1)));
        new Thread(first).start();
        assertTrue(building.await(10, java.util.concurrent.TimeUnit.SECONDS));
        java.util.concurrent.FutureTask<Object> other = new java.util.concurrent.FutureTask<>(() -> {
            cache.update(t1, 0, layers.get(0));   // a miss: builds t1's factors
            cache.update(t1, 1, layers.get(1));   // a hit
            served.adapters().add("t2", AdapterCapture.capture(AdaptedNetwork.of(net()), "t2", List.of()));
            return cache.bytes();
        });
        new Thread(other).start();
        assertEquals(whole.bytes(), other.get(20, java.util.concurrent.TimeUnit.SECONDS),
                "t1's request and an addition ran while t0's build was held (a wait would time out here)");
        assertFalse(first.isDone());
        release.countDown();
        first.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(2 * whole.bytes(), cache.bytes());
        assertEquals(4, cache.counts()[1]);
        // the factors built for t0 are the per-layer build's, to rounding
        INDArray perLayer = FactorCache.build(t0, 1, layers.get(1)).b();
        INDArray cached = cache.update(t0, 1, layers.get(1)).b();
        assertTrue(perLayer.equalsWithEps(cached, 1e-5), perLayer + " vs " + cached);
    }

    /** A cache whose whole-adapter build, on the builder thread only, waits for {@code release} after {@code building}. */
    private static FactorCache heldOnTheBuilder(AdapterFactors whole, java.util.concurrent.CountDownLatch building,
                                                java.util.concurrent.CountDownLatch release) {
        return heldBuild(whole, building, release,
                a -> Thread.currentThread().getName().equals(FactorCache.BUILDER_THREAD));
    }

    /** A cache whose whole-adapter build of an adapter that {@code hold} accepts waits for {@code release} after {@code building}. */
    private static FactorCache heldBuild(AdapterFactors whole, java.util.concurrent.CountDownLatch building,
                                         java.util.concurrent.CountDownLatch release,
                                         java.util.function.Predicate<ResidentAdapter> hold) {
        return new FactorCache(1L << 20, a -> {
            if (hold.test(a)) {
                building.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return whole.build(a);
        }, whole.bytes());
    }

    @Test
    void aRequestBeforeTheBuilderBuildsForItselfAndTheBuilderKeepsThoseFactors() throws Exception {
        MixedAdapterNetwork served = servedWithRandomAdapters(1);
        ResidentAdapter t0 = served.adapters().get("t0");
        List<Layer> layers = AdaptedNetwork.of(net()).adapterLayers();
        AdapterFactors whole = new AdapterFactors(layers);
        java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FactorCache cache = heldOnTheBuilder(whole, building, release);
        cache.buildLater(t0, () -> true);   // returns at once: the addition is done
        assertTrue(building.await(10, java.util.concurrent.TimeUnit.SECONDS));
        java.util.concurrent.FutureTask<Object> request = new java.util.concurrent.FutureTask<>(
                () -> cache.update(t0, 1, layers.get(1)));
        new Thread(request).start();
        Object u = request.get(20, java.util.concurrent.TimeUnit.SECONDS);   // would time out if it waited
        assertEquals(2, cache.counts()[1], "the request built t0's two layers itself");
        release.countDown();
        assertTrue(cache.awaitBuilds(20_000));
        assertSame(u, cache.update(t0, 1, layers.get(1)), "the builder kept the request's factors");
        assertEquals(whole.bytes(), cache.bytes(), "one copy");
    }

    @Test
    void anAdapterRemovedWhileTheBuilderBuildsLeavesNoFactors() throws Exception {
        MixedAdapterNetwork served = servedWithRandomAdapters(1);
        ResidentAdapter t0 = served.adapters().get("t0");
        AdapterFactors whole = new AdapterFactors(AdaptedNetwork.of(net()).adapterLayers());
        java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FactorCache cache = heldOnTheBuilder(whole, building, release);
        java.util.concurrent.atomic.AtomicBoolean resident = new java.util.concurrent.atomic.AtomicBoolean(true);
        cache.buildLater(t0, resident::get);
        assertTrue(building.await(10, java.util.concurrent.TimeUnit.SECONDS));
        resident.set(false);   // removed while its factors are being built
        cache.evict(t0);
        release.countDown();
        assertTrue(cache.awaitBuilds(20_000));
        assertEquals(0, cache.bytes(), "nothing kept for an adapter no longer resident");
    }
}
