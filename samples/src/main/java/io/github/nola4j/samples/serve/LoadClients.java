package io.github.nola4j.samples.serve;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * C concurrent clients on loopback, each sending one image per request with an adapter and an image drawn at
 * random, until {@code requests} have been sent or {@code seconds} have passed; every answer is checked against
 * the expected probabilities of that (adapter, image) pair, within {@code tolerance} of the row's largest value.
 */
final class LoadClients {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The client threads' names begin so. */
    static final String THREAD_PREFIX = "load-client-";

    /**
     * @param requests  requests answered
     * @param errors    non-200 answers and failed connections
     * @param wrong     200 answers whose probabilities differ from the expected ones
     * @param seconds   wall time
     * @param latencies every request's latency in nanoseconds, sorted
     * @param firstProblem the first error or wrong answer, or null
     * @param cpu       where the process's CPU went while the clients ran ({@link ThreadCpu#format})
     */
    record Outcome(int requests, int errors, int wrong, double seconds, long[] latencies, String firstProblem,
                   String cpu) {

        double perSecond() {
            return requests / seconds;
        }

        double percentileMs(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1);
            return latencies[Math.max(0, i)] / 1e6;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI predict;
    private final List<byte[]> imageJson;
    private final Map<String, double[][]> expected = new java.util.HashMap<>();
    private final double tolerance;
    /** The largest deviation seen, relative to the row's largest expected probability (double bits). */
    private final java.util.concurrent.atomic.AtomicLong maxDeviation = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param port      the server's port on 127.0.0.1
     * @param imageJson every image of the pool as JSON
     * @param expected  adapter → [pool, classes] expected probabilities
     */
    LoadClients(int port, List<String> imageJson, Map<String, INDArray> expected, double tolerance) {
        this.predict = URI.create("http://127.0.0.1:" + port + "/v1/predict");
        this.imageJson = imageJson.stream().map(j -> j.getBytes(StandardCharsets.UTF_8)).toList();
        expected.forEach((name, rows) -> this.expected.put(name, rows.toDoubleMatrix()));
        this.tolerance = tolerance;
    }

    /**
     * Runs the clients; adapters are drawn from {@code adapters}. The request bodies are encoded before the clock
     * starts (each one the adapter's prefix, the image's JSON and a closing brace, copied into one array) and the
     * answers are checked against plain Java arrays: the clients share this process's cores with the server, and a
     * real client's CPU is not the server's.
     */
    Outcome run(int clients, int requests, double seconds, List<String> adapters, long seed) throws Exception {
        Map<String, byte[]> prefixes = new java.util.HashMap<>();
        for (String adapter : adapters) {
            prefixes.put(adapter, ("{\"adapter\":" + JSON.writeValueAsString(adapter) + ",\"image\":")
                    .getBytes(StandardCharsets.UTF_8));
        }
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients,
                r -> new Thread(r, THREAD_PREFIX + threads.getAndIncrement()));
        List<Future<List<Long>>> futures = new ArrayList<>();
        ThreadCpu cpu0 = ThreadCpu.now();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Random random = new Random(seed * 1_000 + c);
            futures.add(pool.submit(() -> {
                List<Long> times = new ArrayList<>();
                while (issued.incrementAndGet() <= requests && System.nanoTime() < deadline) {
                    String adapter = adapters.get(random.nextInt(adapters.size()));
                    int image = random.nextInt(imageJson.size());
                    byte[] body = body(prefixes.get(adapter), imageJson.get(image));
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(predict)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        times.add(System.nanoTime() - t0);
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                            problems.add(r.statusCode() + " " + r.body());
                        } else if (!matches(JSON.readTree(r.body()), adapter, image)) {
                            wrong.incrementAndGet();
                            problems.add("wrong answer for " + adapter + " image " + image + ": " + r.body());
                        }
                    } catch (java.io.IOException e) {
                        times.add(System.nanoTime() - t0);
                        errors.incrementAndGet();
                        problems.add(e.toString());
                    }
                }
                return times;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            all.addAll(f.get());
        }
        double wall = (System.nanoTime() - start) / 1e9;
        ThreadCpu cpu1 = ThreadCpu.now();   // before the client threads end, so that their time counts
        pool.shutdown();
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Outcome(sorted.length, errors.get(), wrong.get(), wall, sorted,
                problems.isEmpty() ? null : problems.get(0), cpu1.format(cpu0, sorted.length, wall));
    }

    private static byte[] body(byte[] prefix, byte[] image) {
        byte[] body = new byte[prefix.length + image.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(image, 0, body, prefix.length, image.length);
        body[body.length - 1] = '}';
        return body;
    }

    private boolean matches(JsonNode answer, String adapter, int image) {
        JsonNode rows = answer.get("probabilities");
        double[] want = expected.get(adapter)[image];
        if (!adapter.equals(answer.path("adapter").asText()) || rows == null || rows.size() != 1
                || rows.get(0).size() != want.length) {
            return false;
        }
        double scale = Double.MIN_NORMAL;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double deviation = 0;
        for (int j = 0; j < want.length; j++) {
            deviation = Math.max(deviation, Math.abs(rows.get(0).get(j).asDouble() - want[j]) / scale);
        }
        maxDeviation.accumulateAndGet(Double.doubleToLongBits(deviation),
                (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);
        return deviation <= tolerance;
    }

    /** @return the largest deviation of an answer from its expected row so far, relative to the row's largest value */
    double maxDeviation() {
        return Double.longBitsToDouble(maxDeviation.get());
    }
}
