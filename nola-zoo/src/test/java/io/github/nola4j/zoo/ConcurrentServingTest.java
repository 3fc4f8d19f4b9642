package io.github.nola4j.zoo;

import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import io.github.nola4j.layers.serving.UnknownAdapterException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nola4j.layers.serving.MixedAdapterNetwork.BASE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Several threads send mixed-adapter batches at once while another adds and removes an adapter; every row of
 * every answer equals what its adapter alone gives (float, 1e-6 relative).
 */
class ConcurrentServingTest {

    private static final int POOL = 12;
    private static final int THREADS = 4;
    private static final int CALLS = 25;

    @TempDir
    Path dir;

    @Test
    void concurrentMixedBatchesAndAddRemoveGiveEveryRowItsOwnAdaptersAnswer() throws Exception {
        TransferResult<MultiLayerNetwork> r = MixedAdapterNetworkTest.transfer(
                NolaTransfer.of(MixedAdapterNetworkTest.convBase(DataType.FLOAT))).trainable("bn1").build();
        Map<String, Adapter> adapters = new LinkedHashMap<>();
        for (String name : ServingFixtures.write(r, dir, 4, 40, 4).keySet()) {
            adapters.put(name, AdapterFiles.read(dir.resolve(name + ".nola")));
        }
        MultiLayerNetwork copy = r.network().clone();
        Nd4j.getRandom().setSeed(8);
        INDArray pool = Nd4j.rand(DataType.FLOAT, POOL, 1, 10, 10);
        List<String> names = new ArrayList<>(adapters.keySet());
        names.add(BASE);
        Map<String, INDArray> expected = ServingFixtures.expectedPerAdapter(copy, r.settings().savedLayers(),
                adapters, pool);
        MixedAdapterNetwork served = MixedAdapterNetwork.of(r.network(), 1L << 16);   // small: evictions happen
        adapters.forEach(served.adapters()::add);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger churned = new AtomicInteger();
        AtomicInteger refusedChurn = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS + 1);
        Future<?> churn = threads.submit(() -> {
            while (!stop.get()) {
                served.adapters().add("churn", adapters.get("task0"));
                served.adapters().remove("churn");
                churned.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<Future<Integer>> callers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            callers.add(threads.submit(() -> {
                Random rnd = new Random(seed);
                int rowsChecked = 0;
                for (int c = 0; c < CALLS; c++) {
                    int mb = 1 + rnd.nextInt(6);
                    int[] rows = new int[mb];
                    List<String> perRow = new ArrayList<>();
                    for (int i = 0; i < mb; i++) {
                        rows[i] = rnd.nextInt(POOL);
                        perRow.add(rnd.nextInt(10) == 0 ? "churn" : names.get(rnd.nextInt(names.size())));
                    }
                    INDArray x = Nd4j.pullRows(pool.reshape(POOL, 100), 1, rows).reshape(mb, 1, 10, 10);
                    INDArray y;
                    try {
                        y = served.output(x, perRow);
                    } catch (UnknownAdapterException e) {
                        assertTrue(perRow.contains("churn"), "only the churned adapter may be missing: " + e);
                        refusedChurn.incrementAndGet();
                        continue;
                    }
                    for (int i = 0; i < mb; i++) {
                        String name = perRow.get(i).equals("churn") ? "task0" : perRow.get(i);
                        INDArray want = expected.get(name).get(NDArrayIndex.interval(rows[i], rows[i] + 1));
                        ServingFixtures.assertRowsClose(want, y.get(NDArrayIndex.interval(i, i + 1)), 1e-6,
                                "call " + c + " row " + i + " (" + perRow.get(i) + ")");
                        rowsChecked++;
                    }
                }
                return rowsChecked;
            }));
        }
        int checked = 0;
        try {
            for (Future<Integer> f : callers) {
                checked += f.get();
            }
        } finally {
            stop.set(true);
            churn.get();
            threads.shutdown();
        }
        assertTrue(checked > THREADS * CALLS, "rows checked: " + checked);
        assertTrue(churned.get() > 0, "the adapter set changed while serving");
        assertTrue(served.replicas() >= 1 && served.replicas() <= THREADS, "replicas: " + served.replicas());
    }
}
