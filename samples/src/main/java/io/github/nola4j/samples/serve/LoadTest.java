package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterBank;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code loadtest}: makes {@code adapters} adapters ({@link AdapterMaker}), computes what each gives on a pool of
 * random images through an {@link AdapterBank} (one adapter at a time, in double and in float), starts the server
 * on 127.0.0.1 in this process and runs {@link LoadClients} against it, judging every answer by an
 * {@link AnswerCheck} (within measured float rounding of its own adapter's exact answer, and nearer it than any
 * other's). Phases: {@code mixed} (requests mixed
 * at random over the adapters, batched across adapters), and with {@code baselines} also {@code bank} (one
 * AdapterBank behind a lock: activate, then output, request by request) and {@code one-adapter} (the mixed
 * engine with every request on one adapter). With {@code baselines}, a warm-up round of all three phases (a server
 * each, as many requests as a phase measures, nothing measured) comes first, so that the phase measured first
 * does not pay the JIT compilation of the code all three share. Each phase warms up, collects, then measures
 * requests/s, latency percentiles and the growth of resident memory over the measured requests (after a collection).
 * While the mixed phase runs, an adapter can be added every {@code addEveryMillis} (timed).
 */
public final class LoadTest {

    /**
     * @param clients        concurrent clients
     * @param adapters       adapters to make and request
     * @param requests       measured requests per phase
     * @param seconds        the longest a phase's measured part runs
     * @param warmup         requests before measuring
     * @param pool           distinct images
     * @param tolerance      the least tolerance of an answer, relative to the row's largest probability
     *                       ({@link AnswerCheck}: the tolerance is measured float rounding, at least this)
     * @param baselines      also run the bank and one-adapter phases
     * @param addEveryMillis add an adapter this often during the mixed phase (0: never)
     */
    public record Settings(ServedModel model, int clients, int adapters, int requests, double seconds, int warmup,
                           int pool, double tolerance, boolean baselines, int addEveryMillis,
                           ServerStart.Tuning tuning, long maxBodyBytes) {
    }

    private LoadTest() {
    }

    /** @return true when no phase had an error or a wrong answer */
    public static boolean run(Settings s, Path work, PrintStream out) throws Exception {
        Path dir = work.resolve("adapters");
        Path later = work.resolve("later");
        long t0 = System.nanoTime();
        Model base = s.model().base();
        TransferResult<?> transfer = s.model().transfer(base);
        List<Path> files = AdapterMaker.write(transfer, dir, 0, s.adapters());
        int extra = s.addEveryMillis() > 0 ? Math.max(1, (int) (s.seconds() * 1000 / s.addEveryMillis()) + 1) : 0;
        List<Path> toAdd = AdapterMaker.write(transfer, later, s.adapters(), Math.min(extra, 50));
        List<String> names = new ArrayList<>();
        files.forEach(f -> names.add(AdapterDirectory.nameOf(f)));
        out.printf("loadtest model=%s image=%s adapters=%d made_in_s=%.1f batch_threads=%d op_threads=%d"
                        + " (mixed engine; the bank keeps ND4J's: %d)%n", s.model().name(),
                java.util.Arrays.toString(s.model().imageShape()), files.size(), (System.nanoTime() - t0) / 1e9,
                s.tuning().workers(), s.tuning().opThreads(), Nd4j.getEnvironment().maxThreads());

        Nd4j.getRandom().setSeed(17);
        long[] shape = s.model().imageShape();
        INDArray images = Nd4j.rand(DataType.FLOAT, s.pool(), shape[0], shape[1], shape[2]);
        List<String> imageJson = new ArrayList<>();
        for (int i = 0; i < s.pool(); i++) {
            imageJson.add(java.util.Arrays.toString(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup().data().asFloat()));
        }
        List<String> saved = new ArrayList<>();
        saved.add(transfer.headLayer());
        saved.addAll(transfer.trainableLayers());
        Map<String, INDArray> exact = references(s.model(), files.get(0), saved, names, dir, images, DataType.DOUBLE);
        Map<String, INDArray> floats = references(s.model(), files.get(0), saved, names, dir, images, DataType.FLOAT);
        floats.remove(MixedAdapterNetwork.BASE);
        AnswerCheck check = new AnswerCheck(exact, floats, s.tolerance());
        out.printf("loadtest references of %d adapters and the base x %d images computed (AdapterBank, one adapter at a"
                        + " time, in double and in float): float rounding=%.2g (largest deviation of the float bank from"
                        + " double) tolerance=%.2g (max of %.2g x rounding and %.2g) separation=%.2g (least deviation"
                        + " between two references)%n", names.size(), s.pool(), check.rounding(), check.tolerance(),
                AnswerCheck.ROUNDING_FACTOR, s.tolerance(), check.separation());

        Map<String, LoadClients.Outcome> outcomes = new LinkedHashMap<>();
        ServerStart.Tuning bank = new ServerStart.Tuning(ServerStart.Engine.BANK, s.tuning().workers(),
                s.tuning().waitMicros(), s.tuning().maxRows(), s.tuning().cacheBytes(), 0);
        if (s.baselines()) {
            // every phase's code compiled before any phase is measured: the first phase measured otherwise pays the
            // JIT compilation of what all phases share (HTTP server and clients, JSON, the network's ops)
            long w0 = System.nanoTime();
            warmOnly(s, s.tuning(), dir, names, imageJson, check);
            warmOnly(s, bank, dir, names, imageJson, check);
            warmOnly(s, s.tuning(), dir, names.subList(0, 1), imageJson, check);
            out.printf("loadtest jit_warmup phases=3 requests_per_phase=%d seconds=%.1f%n", s.requests(),
                    (System.nanoTime() - w0) / 1e9);
        }
        outcomes.put("mixed", phase("mixed", s, s.tuning(), dir, toAdd, names, imageJson, check, out));
        if (s.baselines()) {
            outcomes.put("bank", phase("bank", s, bank, dir, List.of(), names, imageJson, check, out));
            outcomes.put("one-adapter", phase("one-adapter", s, s.tuning(), dir, List.of(), names.subList(0, 1),
                    imageJson, check, out));
            double mixed = outcomes.get("mixed").perSecond();
            out.printf("loadtest ratios mixed/bank=%.2f (target >= 3) mixed/one-adapter=%.2f (target >= 0.8)%n",
                    mixed / outcomes.get("bank").perSecond(), mixed / outcomes.get("one-adapter").perSecond());
        }
        boolean ok = outcomes.values().stream().allMatch(o -> o.errors() == 0 && o.wrong() == 0);
        out.println("loadtest " + (ok ? "PASS" : "FAIL") + ": errors and wrong answers "
                + (ok ? "0 in every phase" : "seen (first: " + outcomes.values().stream()
                .map(LoadClients.Outcome::firstProblem).filter(java.util.Objects::nonNull).findFirst().orElse("") + ")"));
        return ok;
    }

    /**
     * Starts a server with {@code tuning}, sends it as many requests as a phase measures ({@link Settings#requests},
     * within {@link Settings#seconds}) and stops it: JIT warm-up only. (With {@link Settings#warmup} requests, 1,200,
     * the first phase measured still paid 0.5-0.6 ms of JIT compiler CPU per request, the others 0.05-0.11.)
     */
    private static void warmOnly(Settings s, ServerStart.Tuning tuning, Path dir, List<String> adapters,
                                 List<String> imageJson, AnswerCheck check) throws Exception {
        try (ServerStart server = ServerStart.start(s.model().base(), s.model(), dir, http(s), tuning)) {
            new LoadClients(server.server().port(), imageJson, check).run(s.clients(), s.requests(), s.seconds(),
                    adapters, 1);
        }
    }

    /** @return the server's settings in a load test: loopback, any free port, threads for every client */
    private static AdapterServer.Settings http(Settings s) {
        return new AdapterServer.Settings("127.0.0.1", 0, s.maxBodyBytes(), Math.max(8, s.clients() * 2));
    }

    private static LoadClients.Outcome phase(String name, Settings s, ServerStart.Tuning tuning, Path dir,
                                             List<Path> toAdd, List<String> adapters, List<String> imageJson,
                                             AnswerCheck check, PrintStream out) throws Exception {
        Model base = s.model().base();
        AdapterServer.Settings http = http(s);
        try (ServerStart server = ServerStart.start(base, s.model(), dir, http, tuning)) {
            LoadClients clients = new LoadClients(server.server().port(), imageJson, check);
            LoadClients.Outcome warm = clients.run(s.clients(), s.warmup(), s.seconds(), adapters, 1);
            long rss0 = collectedRss();
            long heap0 = Runtime.getRuntime().totalMemory();
            long cache0 = server.adapters().served().factors().bytes();
            Predictor predictor = server.server().predictor();
            long busy0 = predictor.busyNanos();
            long runs0 = predictor.runs();
            AdapterAdder adder = new AdapterAdder(server.adapters(), toAdd, s.addEveryMillis());
            LoadClients.Outcome o = clients.run(s.clients(), s.requests(), s.seconds(), adapters, 2);
            adder.stop();
            long busy = predictor.busyNanos() - busy0;
            long runs = Math.max(1, predictor.runs() - runs0);
            long rss1 = collectedRss();
            long heap1 = Runtime.getRuntime().totalMemory();
            long cache1 = server.adapters().served().factors().bytes();
            long workspace = server.adapters().served().workspaceBytes();
            out.printf("loadtest phase=%s clients=%d adapters=%d requests=%d seconds=%.2f req_per_s=%.1f p50_ms=%.2f"
                            + " p99_ms=%.2f max_ms=%.2f errors=%d wrong=%d warmup_errors=%d warmup_wrong=%d"
                            + " deviation_p50=%.2g deviation_p99=%.2g deviation_max=%.2g from_float_bank_max=%.2g rss_growth_mb=%d heap_committed_growth_mb=%d"
                            + " factor_cache_growth_mb=%d largest_pass_workspace_mb=%d%s%n", name, s.clients(), adapters.size(), o.requests(), o.seconds(),
                    o.perSecond(), o.percentileMs(0.5), o.percentileMs(0.99), o.percentileMs(1.0), o.errors(),
                    o.wrong(), warm.errors(), warm.wrong(), o.deviationPercentile(0.5), o.deviationPercentile(0.99),
                    o.deviationPercentile(1.0), o.fromFloatMax(), (rss1 - rss0) >> 20, (heap1 - heap0) >> 20,
                    (cache1 - cache0) >> 20, workspace >> 20, adder.summary());
            out.printf("loadtest phase=%s runs=%d requests_per_run=%.2f ms_per_run=%.2f network_ms_per_request=%.3f %s%n",
                    name, runs, (double) o.requests() / runs, busy / 1e6 / runs, busy / 1e6 / Math.max(1, o.requests()),
                    o.cpu());
            return new LoadClients.Outcome(o.requests(), o.errors() + warm.errors(), o.wrong() + warm.wrong(),
                    o.seconds(), o.latencies(), o.firstProblem() != null ? o.firstProblem() : warm.firstProblem(),
                    o.cpu(), o.deviations(), Math.max(o.fromFloatMax(), warm.fromFloatMax()));
        }
    }

    /**
     * The single-adapter outputs: each adapter activated alone in an AdapterBank on another copy of the base converted
     * to {@code dataType}, and the base's ({@link AdapterBank#useBase}) under {@link MixedAdapterNetwork#BASE}. In
     * double they are exact to the answers' precision; in float they measure the rounding a float single-adapter
     * path has ({@link AnswerCheck}).
     */
    private static Map<String, INDArray> references(ServedModel model, Path first, List<String> saved,
                                                    List<String> names, Path dir, INDArray images, DataType dataType)
            throws Exception {
        Model restored = NolaTransfer.of(model.base()).restore(first).network();
        Model net = restored instanceof MultiLayerNetwork mln ? mln.convertDataType(dataType)
                : ((ComputationGraph) restored).convertDataType(dataType);
        INDArray x = images.castTo(dataType);
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(net), saved, LoadOptions.STRICT);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : names) {
            bank.add(name, dir.resolve(name + io.github.nola4j.layers.adapter.AdapterFiles.EXTENSION));
            bank.activate(name);
            out.put(name, outputOf(net, x));
            bank.remove(name);
        }
        bank.useBase();
        out.put(MixedAdapterNetwork.BASE, outputOf(net, x));
        return out;
    }

    private static INDArray outputOf(Model net, INDArray x) {
        return net instanceof MultiLayerNetwork mln ? mln.output(x, false)
                : ((ComputationGraph) net).outputSingle(false, x);
    }

    static long collectedRss() throws InterruptedException {
        System.gc();
        Thread.sleep(300);
        return Pointer.physicalBytes();
    }

    /** Makes a work directory under the system's temporary folder. */
    public static Path workDirectory() throws java.io.IOException {
        return Files.createTempDirectory("nola-loadtest");
    }
}
