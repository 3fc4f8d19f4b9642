package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import io.github.nola4j.layers.serving.UnknownAdapterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batches requests that arrive together across adapters: each of {@code workers} threads takes the oldest
 * waiting request, waits at most {@code maxWaitMicros} from then for more (up to {@code maxRows} images in
 * all), and runs them as one mixed-adapter batch ({@link MixedAdapterNetwork#output}), each request's rows
 * naming its adapter. A batch that fails because an adapter was removed meanwhile is re-run request by
 * request, so only that request fails.
 */
public final class BatchingPredictor implements Predictor {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingPredictor.class);
    /** The batch threads' names begin so (their native helpers, e.g. OpenMP's, carry the same name). */
    static final String THREAD_PREFIX = "batcher-";

    private record Pending(float[] images, long[] shape, String adapter, CompletableFuture<float[][]> answer) {
        int rows() {
            return (int) shape[0];
        }
    }

    private final MixedAdapterNetwork served;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final long maxWaitNanos;
    private final int maxRows;
    private final OpThreads opThreads;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedRows = new AtomicLong();
    private final AtomicLong batchNanos = new AtomicLong();

    /**
     * @param workers       threads running batches (one replica each); the cores, say. Each thread forms its own
     *                      batches, so more threads mean smaller ones ({@link #summary()} shows the sizes formed)
     * @param maxWaitMicros the longest a request waits for others to batch with, in microseconds
     * @param maxRows       the most images in one batch
     * @param opThreads     the most threads one native op uses while this predictor runs (process-wide, restored at
     *                      {@link #close}; {@link OpThreads}); 0 leaves ND4J's setting
     */
    public BatchingPredictor(MixedAdapterNetwork served, int workers, long maxWaitMicros, int maxRows, int opThreads) {
        this.served = served;
        this.maxWaitNanos = TimeUnit.MICROSECONDS.toNanos(maxWaitMicros);
        this.maxRows = maxRows;
        this.opThreads = OpThreads.limit(opThreads);
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, THREAD_PREFIX + i);
            t.setDaemon(true);
            t.start();
            this.workers.add(t);
        }
    }

    @Override
    public float[][] predict(float[] images, long[] shape, String adapter) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the predictor is closed");
        }
        if (!served.adapters().contains(adapter)) {
            throw new UnknownAdapterException(adapter, served.adapters().names());
        }
        Pending p = new Pending(images, shape.clone(), adapter, new CompletableFuture<>());
        queue.add(p);
        try {
            return p.answer().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void work() {
        opThreads.limitCallingThread();
        List<Pending> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.clear();
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int rows = gather(batch, first.rows());
                long t0 = System.nanoTime();
                run(batch, rows);
                batchNanos.addAndGet(System.nanoTime() - t0);
                batches.incrementAndGet();
                batchedRows.addAndGet(rows);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Adds waiting requests to {@code batch} for at most {@code maxWaitNanos} from now, up to {@code maxRows} images.
     * (Gathering on while another worker runs a batch, so that one batch runs at a time, formed larger batches but
     * answered fewer requests per second, measured on a loaded machine.)
     *
     * @return the images gathered
     */
    private int gather(List<Pending> batch, int rows) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (rows < maxRows) {
            long left = deadline - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            batch.add(next);
            rows += next.rows();
        }
        return rows;
    }

    private void run(List<Pending> batch, int rows) {
        try {
            List<String> perRow = new ArrayList<>(rows);
            long[] shape = batch.get(0).shape().clone();
            shape[0] = rows;
            float[] values = batch.size() == 1 ? batch.get(0).images() : new float[batch.get(0).images().length
                    / batch.get(0).rows() * rows];
            int at = 0;
            for (Pending p : batch) {
                if (batch.size() > 1) {
                    System.arraycopy(p.images(), 0, values, at, p.images().length);
                    at += p.images().length;
                }
                perRow.addAll(Collections.nCopies(p.rows(), p.adapter()));
            }
            float[][] out = served.outputRows(values, shape, perRow);   // no native memory left to the GC
            int row = 0;
            for (Pending p : batch) {
                p.answer().complete(Arrays.copyOfRange(out, row, row + p.rows()));
                row += p.rows();
            }
        } catch (UnknownAdapterException e) {
            if (batch.size() == 1) {
                batch.get(0).answer().completeExceptionally(e);
            } else {
                for (Pending p : batch) {
                    run(new ArrayList<>(List.of(p)), p.rows());
                }
            }
        } catch (RuntimeException e) {
            batch.forEach(p -> p.answer().completeExceptionally(e));
        }
    }

    @Override
    public long busyNanos() {
        return batchNanos.get();
    }

    @Override
    public long runs() {
        return batches.get();
    }

    /** @return batches run, images in them and the time spent running them, for the log */
    public String summary() {
        long n = Math.max(1, batches.get());
        return String.format("%d batches, %.2f images and %.2f ms per batch on average", batches.get(),
                (double) batchedRows.get() / n, batchNanos.get() / 1e6 / n);
    }

    @Override
    public void close() {
        LOG.info("batching predictor: {}", summary());
        closed = true;
        workers.forEach(Thread::interrupt);
        Pending p;
        while ((p = queue.poll()) != null) {
            p.answer().completeExceptionally(new IllegalStateException("the server is stopping"));
        }
        opThreads.close();
    }
}
