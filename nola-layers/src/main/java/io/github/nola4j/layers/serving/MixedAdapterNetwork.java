package io.github.nola4j.layers.serving;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.LoadOptions;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A base network with NOLA or LoRA layers (made by {@code NolaTransfer}, say) serving many adapters at once:
 * {@link #output(INDArray, List)} runs one batch whose rows each name their adapter, or {@link #BASE}.
 * <pre>
 *   MixedAdapterNetwork served = MixedAdapterNetwork.of(net, 256L &lt;&lt; 20);   // factor cache budget
 *   served.adapters().add("shoes", Path.of("shoes.nola"));
 *   served.adapters().add("bags", Path.of("bags.nola"));
 *   INDArray y = served.output(x, List.of("shoes", "bags", MixedAdapterNetwork.BASE, "shoes"));
 * </pre>
 * The frozen products x·W and conv(x, W) run once for the whole batch; per adapter group only the thin
 * paths (x·A)·(s·B) (convolutions: an r-channel convolution, then 1x1) and the layers the adapter replaces
 * in full (its head, trainable BatchNorm) run ({@link LowRankForward}). Each row's result is what that adapter
 * alone gives on that row with {@code AdapterBank.activate} (float: 1e-6 relative; double: 1e-12). Base rows
 * get ΔW = 0 and the layers as they were when this object was made.
 *
 * <p><b>Concurrency.</b> {@link #output} may be called from any number of threads at once, and concurrently
 * with {@link ResidentAdapters#add} and {@link ResidentAdapters#remove} on {@link #adapters()}: each call runs on
 * its own {@link NetworkReplica} (taken from a pool, made when none is free), which shares the base's
 * parameter array, so W is in memory once and is only read. A call resolves its adapters when it starts and
 * never sees another adapter's coefficients. The wrapped network itself must not be trained, switched or
 * merged while this object is in use: its parameters are the ones every replica reads.
 */
public final class MixedAdapterNetwork {

    /** The name a row gives to mean the base (no adapter), as PEFT's "__base__". */
    public static final String BASE = "__base__";

    private final Model base;
    private final FactorCache factors;
    private final ResidentAdapters adapters;
    private final ConcurrentLinkedDeque<NetworkReplica> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger made = new AtomicInteger();
    private final AtomicLong workspaceBytes = new AtomicLong();

    private MixedAdapterNetwork(Model base, LoadOptions options, long factorBudgetBytes) {
        this.base = base;
        this.adapters = new ResidentAdapters(AdaptedNetwork.of(base), options, factorBudgetBytes);
        this.factors = adapters.factors();
    }

    /**
     * @param base              an initialised MultiLayerNetwork or ComputationGraph with NOLA or LoRA layers
     * @param factorBudgetBytes the most bytes of adapter factors A, s·B kept between calls ({@link FactorCache})
     */
    public static MixedAdapterNetwork of(Model base, long factorBudgetBytes) {
        return of(base, LoadOptions.STRICT, factorBudgetBytes);
    }

    /** @param options checks applied to every adapter added ({@link LoadOptions#STRICT} refuses other bases) */
    public static MixedAdapterNetwork of(Model base, LoadOptions options, long factorBudgetBytes) {
        return new MixedAdapterNetwork(base, options, factorBudgetBytes);
    }

    /** @return the resident adapters: add and remove them here, also while serving */
    public ResidentAdapters adapters() {
        return adapters;
    }

    /** @return the cache of adapter factors */
    public FactorCache factors() {
        return factors;
    }

    /**
     * The output of a MultiLayerNetwork, or of a graph with one input and one output.
     *
     * @param features      [mb, ...] as the network's own {@code output(x)} takes
     * @param adapterPerRow mb names: a resident adapter or {@link #BASE}
     * @return [mb, ...], row i as adapter {@code adapterPerRow.get(i)} alone gives it
     * @throws UnknownAdapterException  if a name is not resident (nothing runs)
     * @throws IllegalArgumentException if the list's size is not mb
     */
    public INDArray output(INDArray features, List<String> adapterPerRow) {
        INDArray[] out = output(new INDArray[] {features}, adapterPerRow);
        if (out.length != 1) {
            throw new IllegalArgumentException("the graph has " + out.length + " outputs; call output(INDArray[],"
                    + " List) for all of them");
        }
        return out[0];
    }

    /**
     * The outputs of a ComputationGraph (one array for a MultiLayerNetwork).
     *
     * @param features      the network's inputs, each [mb, ...]
     * @param adapterPerRow mb names: a resident adapter or {@link #BASE}
     */
    public INDArray[] output(INDArray[] features, List<String> adapterPerRow) {
        return run(features[0].size(0), () -> features, adapterPerRow, out -> {
            INDArray[] detached = new INDArray[out.length];
            for (int i = 0; i < out.length; i++) {
                detached[i] = out[i].detach();
            }
            return detached;
        });
    }

    /**
     * {@link #output(INDArray, List)} with the rows as Java arrays in and out, for a server's batch threads: the
     * input array is made inside the calling thread's pass workspace and the output copied out of it, so the call
     * leaves no native memory to the garbage collector.
     *
     * @param features      the batch's values in c order, {@code shape} [mb, ...]
     * @param shape         the batch's shape as the network's {@code output(x)} takes it
     * @param adapterPerRow mb names: a resident adapter or {@link #BASE}
     * @return [mb][outputs per row], row i as adapter {@code adapterPerRow.get(i)} alone gives it
     * @throws IllegalArgumentException if {@code features} does not hold the values of {@code shape}
     */
    public float[][] outputRows(float[] features, long[] shape, List<String> adapterPerRow) {
        long values = 1;
        for (long d : shape) {
            values *= d;
        }
        if (values != features.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + values + " values but"
                    + " the batch has " + features.length + "; give the values of [mb, ...] in c order");
        }
        return run(shape[0], () -> new INDArray[] {Nd4j.create(features, shape, 'c')}, adapterPerRow, out -> {
            if (out.length != 1) {
                throw new IllegalArgumentException("the graph has " + out.length + " outputs; call"
                        + " output(INDArray[], List) for all of them");
            }
            INDArray y = out[0];
            return y.reshape('c', y.size(0), y.length() / y.size(0)).toFloatMatrix();
        });
    }

    /**
     * Runs a pass in the calling thread's workspace: {@code features} makes the inputs in it (or returns the
     * caller's), {@code copyOut} takes the outputs out before it resets.
     */
    private <T> T run(long mb, Supplier<INDArray[]> features, List<String> adapterPerRow,
                      Function<INDArray[], T> copyOut) {
        if (adapterPerRow.size() != mb) {
            throw new IllegalArgumentException("adapterPerRow names " + adapterPerRow.size() + " adapters but the batch"
                    + " has " + mb + " rows; give one name per row (\"" + BASE + "\" for the base)");
        }
        RowGroups groups = RowGroups.of(adapterPerRow);
        List<ResidentAdapter> resolved = new ArrayList<>();
        for (RowGroups.Group g : groups.groups()) {
            resolved.add(BASE.equals(g.adapter()) ? null : adapters.get(g.adapter()));
        }
        DataType dataType = dataType();
        NetworkReplica replica = idle.pollFirst();
        if (replica == null) {
            replica = NetworkReplica.of(base, factors);
            made.incrementAndGet();
        }
        try (MemoryWorkspace ws = ServingWorkspace.open()) {
            INDArray[] inputs = features.get().clone();
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = groups.gather(inputs[i].castTo(dataType));
            }
            INDArray[] out = replica.output(inputs, groups, resolved);
            for (int i = 0; i < out.length; i++) {
                out[i] = groups.scatter(out[i]);
            }
            workspaceBytes.accumulateAndGet(ws.getCurrentSize(), Math::max);
            return copyOut.apply(out);
        } finally {
            idle.addFirst(replica);
        }
    }

    /**
     * Sizes the calling thread's pass workspace ({@link ServingWorkspace}) for the largest batch it will serve, so
     * that serving from this thread later does not grow it: runs one pass of {@code rows} zero rows of shape
     * {@code rowShape}, spread over the resident adapters one per row in turn (the base when none is resident),
     * i.e. the most adapter groups such a batch can have. Call it from each serving thread before it serves (the
     * samples server does not: for the CNN, 64 rows reserved 39 MB per thread, more than its batches grew it to).
     * It also builds those adapters' factors into the cache.
     *
     * @param rowShape one row's shape, e.g. {C, H, W}
     * @param rows     the most rows of one batch
     * @return the bytes of this thread's workspace block afterwards
     * @throws UnknownAdapterException if an adapter is removed while this runs (nothing else changes)
     */
    public long reserveWorkspace(long[] rowShape, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows = " + rows + " must be at least 1: the most rows of one batch");
        }
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        List<String> names = adapters.names();
        List<String> perRow = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            perRow.add(names.isEmpty() ? BASE : names.get(i % names.size()));
        }
        INDArray zeros;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            zeros = Nd4j.zeros(dataType(), shape);
        }
        output(zeros, perRow);
        return ServingWorkspace.threadBytes();
    }

    private DataType dataType() {
        return base instanceof MultiLayerNetwork mln ? mln.getLayerWiseConfigurations().getDataType()
                : ((ComputationGraph) base).getConfiguration().getDataType();
    }

    /** @return the number of replicas made so far (at most the number of concurrent callers seen) */
    public int replicas() {
        return made.get();
    }

    /**
     * @return the largest block a calling thread's {@link ServingWorkspace} has had so far, in bytes (each thread
     *         that has called keeps one, sized by the largest batch it ran: all arrays of that pass)
     */
    public long workspaceBytes() {
        return workspaceBytes.get();
    }
}
