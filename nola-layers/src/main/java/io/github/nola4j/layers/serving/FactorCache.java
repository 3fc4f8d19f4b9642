package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.LowRankLayer;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.ops.LowRankUpdate;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The factors A [fanIn, r] and s·B [r, nOut] of (adapter, adapter layer) pairs, built on demand from a
 * {@link ResidentAdapter}'s coefficients and kept within a byte budget, least recently used first out. A miss
 * builds all of the adapter's layers at once when a whole-adapter build is given and its factors fit the budget
 * ({@link AdapterFactors}: one GEMM per group of layers with equal basis rows, the factors of a group views of one
 * array, whose memory is freed when the last of them is evicted; an adapter's entries are used, and so evicted,
 * together); else the one layer, by the layer's own {@link LowRankLayer#update}. An addition does not build them:
 * it only decodes, checks and registers, then hands the adapter to {@link #buildLater}, whose one builder thread
 * (started when needed, ended when idle) builds them when they fit the budget's free part (evicting nothing), so
 * that the adapter's first request usually finds them; a request that comes first builds them itself.
 *
 * <p>Thread-safe. The lock covers only the map: factors are built outside it, so two requests that miss on
 * the same adapter may both build it (the same values) and one copy is kept. A budget smaller than one
 * adapter's factors still serves every request; it only rebuilds more often.
 */
public final class FactorCache {

    private record Key(ResidentAdapter adapter, int layer) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.adapter == adapter && k.layer == layer;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(adapter) * 31 + layer;
        }
    }

    /** The name of the thread that builds added adapters' factors ({@link #buildLater}). */
    static final String BUILDER_THREAD = "nola-factor-builder";

    private final long budgetBytes;
    /** Builds all of an adapter's factors, per adapter layer in network order; null: build per layer only. */
    private final Function<ResidentAdapter, LowRankUpdate[]> wholeAdapter;
    private final long wholeAdapterBytes;
    private final LinkedHashMap<Key, LowRankUpdate> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Key, Long> sizes = new HashMap<>();
    /** One thread at most, ended after a second idle; FIFO, so {@link #awaitBuilds} sees every earlier build done. */
    private final ThreadPoolExecutor builder = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, BUILDER_THREAD);
                t.setDaemon(true);
                return t;
            });
    private long bytes;
    private long hits;
    private long misses;

    /** @param budgetBytes the most bytes of factors kept (0 keeps none) */
    public FactorCache(long budgetBytes) {
        this(budgetBytes, null, 0);
    }

    /**
     * @param wholeAdapter      builds all factors of an adapter (per adapter layer, in network order, its A and
     *                          s·B), used on a miss when they fit the budget
     * @param wholeAdapterBytes the bytes of one adapter's factors ({@link AdapterFactors#bytes})
     */
    FactorCache(long budgetBytes, Function<ResidentAdapter, LowRankUpdate[]> wholeAdapter, long wholeAdapterBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("factor cache budget " + budgetBytes + " bytes is negative; pass 0"
                    + " or more");
        }
        this.budgetBytes = budgetBytes;
        this.wholeAdapter = wholeAdapter;
        this.wholeAdapterBytes = wholeAdapterBytes;
    }

    /**
     * @param adapter  a resident adapter
     * @param index    the layer's position among the network's adapter layers
     * @param layer    that layer (its configuration defines the factors; W is not read)
     * @return A and s·B of {@code adapter} in {@code layer}
     */
    public LowRankUpdate update(ResidentAdapter adapter, int index, Layer layer) {
        Key key = new Key(adapter, index);
        synchronized (this) {
            LowRankUpdate u = entries.get(key);
            if (u != null) {
                hits++;
                return u;
            }
            misses++;
        }
        if (wholeAdapter != null && wholeAdapterBytes <= budgetBytes) {
            return buildWhole(adapter, index);
        }
        LowRankUpdate built = build(adapter, index, layer);
        long size = bytesOf(built);
        synchronized (this) {
            LowRankUpdate raced = entries.get(key);
            if (raced != null) {
                return raced;
            }
            if (size <= budgetBytes) {
                put(key, built, size);
                trim();
            }
        }
        return built;
    }

    /**
     * Builds all factors of {@code adapter} in the calling thread and caches every one not cached meanwhile,
     * evicting the least recently used others as needed (they fit the budget together).
     *
     * @return the factors of adapter layer {@code index}
     */
    private LowRankUpdate buildWhole(ResidentAdapter adapter, int index) {
        LowRankUpdate[] built = wholeAdapter.apply(adapter);
        synchronized (this) {
            misses += built.length - 1;   // one build per layer, as misses of the per-layer path count
            for (int i = 0; i < built.length; i++) {
                Key key = new Key(adapter, i);
                if (!entries.containsKey(key)) {
                    put(key, built[i], bytesOf(built[i]));
                }
            }
            trim();
            LowRankUpdate u = entries.get(new Key(adapter, index));
            return u != null ? u : built[index];
        }
    }

    /**
     * Builds all factors of {@code adapter} on this cache's builder thread, later, and caches them if they fit in the
     * budget's free part then (evicting nothing) and the adapter is still {@code wanted} (resident under its name);
     * does nothing when this cache has no whole-adapter build, or when some of the adapter's factors are cached by
     * then (a request came first). Returns at once.
     */
    void buildLater(ResidentAdapter adapter, BooleanSupplier wanted) {
        if (wholeAdapter == null) {
            return;
        }
        builder.execute(() -> {
            synchronized (this) {
                if (!wanted.getAsBoolean() || entries.containsKey(new Key(adapter, 0))
                        || bytes + wholeAdapterBytes > budgetBytes) {
                    return;
                }
            }
            LowRankUpdate[] built = wholeAdapter.apply(adapter);
            synchronized (this) {   // a removal takes this lock to evict after it unpublished the adapter
                if (!wanted.getAsBoolean()) {
                    return;
                }
                misses += built.length;   // builds, as misses of update are
                for (int i = 0; i < built.length; i++) {
                    Key key = new Key(adapter, i);
                    long size = bytesOf(built[i]);
                    if (!entries.containsKey(key) && bytes + size <= budgetBytes) {
                        put(key, built[i], size);
                    }
                }
            }
        });
    }

    /**
     * Waits until the builds handed to {@link #buildLater} before this call are done (for tests and measurements).
     *
     * @return false if they were not done within {@code millis}
     */
    boolean awaitBuilds(long millis) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        builder.execute(done::countDown);
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    private static long bytesOf(LowRankUpdate u) {
        return (u.a().length() + u.b().length()) * u.a().dataType().width();
    }

    /** Holds the entry; call with this cache's lock held. */
    private void put(Key key, LowRankUpdate built, long size) {
        entries.put(key, built);
        sizes.put(key, size);
        bytes += size;
    }

    /** @return A and s·B of {@code adapter} in {@code layer} (adapter layer {@code index}), by the layer's own {@link LowRankLayer#update} */
    static LowRankUpdate build(ResidentAdapter adapter, int index, Layer layer) {
        LowRankLayer conf = (LowRankLayer) layer.conf().getLayer();
        LayerAdapterKind kind = LayerAdapterKind.of(conf);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray[] pair = adapter.coefficients(index);   // views kept by the entry (LoRA's A, B): made out here
            return conf.update(Map.of(kind.firstKey(), pair[0], kind.secondKey(), pair[1]));
        }
    }

    /** Drops every entry of {@code adapter} (it was removed or replaced). */
    public synchronized void evict(ResidentAdapter adapter) {
        Iterator<Map.Entry<Key, LowRankUpdate>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Key k = it.next().getKey();
            if (k.adapter == adapter) {
                bytes -= sizes.remove(k);
                it.remove();
            }
        }
    }

    private void trim() {
        Iterator<Map.Entry<Key, LowRankUpdate>> it = entries.entrySet().iterator();
        while (bytes > budgetBytes && it.hasNext()) {
            Key k = it.next().getKey();
            bytes -= sizes.remove(k);
            it.remove();
        }
    }

    /** @return the bytes of factors held now */
    public synchronized long bytes() {
        return bytes;
    }

    /** @return the budget in bytes */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** @return {hits, misses} since creation (a miss is one layer's factors built) */
    public synchronized long[] counts() {
        return new long[] {hits, misses};
    }
}
