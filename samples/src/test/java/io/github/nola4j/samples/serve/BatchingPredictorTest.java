package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests that arrive together run as one mixed batch, and each gets its own rows back. */
class BatchingPredictorTest {

    private static final ServedModel MODEL = ServedModel.of("cnn", 0, null);

    @TempDir
    Path dir;

    @Test
    void concurrentRequestsAreServedInOneBatchWithTheirOwnRows() throws Exception {
        AdapterMaker.write(MODEL.transfer(MODEL.base()), dir, 0, 3);
        MixedAdapterNetwork served = AdapterDirectory.load(MODEL.base(), dir, 1L << 20).served();
        List<String> names = served.adapters().names();
        int requests = 6;
        Nd4j.getRandom().setSeed(5);
        INDArray images = Nd4j.rand(DataType.FLOAT, requests, 1, 28, 28);
        List<String> perRow = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            perRow.add(names.get(i % names.size()));
        }
        INDArray expected = served.output(images, perRow);
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        // one worker, a wait far longer than the submissions take: all six requests must share one batch
        try (BatchingPredictor predictor = new BatchingPredictor(served, 1, 2_000_000, 64, 1)) {
            List<Future<float[][]>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                float[] x = images.get(NDArrayIndex.interval(i, i + 1)).dup().data().asFloat();
                String adapter = perRow.get(i);
                answers.add(clients.submit(() -> predictor.predict(x, new long[] {1, 1, 28, 28}, adapter)));
            }
            for (int i = 0; i < requests; i++) {
                float[][] got = answers.get(i).get();
                INDArray want = expected.get(NDArrayIndex.interval(i, i + 1));
                assertEquals(1, got.length);
                assertTrue(Nd4j.create(got).equalsWithEps(want, 1e-6), "request " + i + ": "
                        + java.util.Arrays.toString(got[0]) + " vs " + want);
            }
            assertEquals(1, predictor.runs(), "six requests sent together ran in " + predictor.runs()
                    + " batches");
        } finally {
            clients.shutdownNow();
        }
    }
}
