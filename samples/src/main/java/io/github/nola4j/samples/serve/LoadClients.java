package io.github.nola4j.samples.serve;

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
 * random, until {@code requests} have been sent or {@code seconds} have passed; every answer is judged by an
 * {@link AnswerCheck} (near its own adapter's exact probabilities on that image, within measured float rounding, and
 * nearer them than any other adapter's).
 */
final class LoadClients {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The client threads' names begin so. */
    static final String THREAD_PREFIX = "load-client-";

    /**
     * @param requests  requests answered
     * @param errors    non-200 answers and failed connections
     * @param wrong     200 answers that {@link AnswerCheck} judged wrong
     * @param seconds   wall time
     * @param latencies every request's latency in nanoseconds, sorted
     * @param firstProblem the first error or wrong answer, or null
     * @param cpu       where the process's CPU went while the clients ran ({@link ThreadCpu#format})
     * @param deviations every 200 answer's deviation from its own reference ({@link AnswerCheck#deviation}), sorted
     * @param fromFloatMax the largest deviation of an answer from the float AdapterBank's on the same row
     */
    record Outcome(int requests, int errors, int wrong, double seconds, long[] latencies, String firstProblem,
                   String cpu, double[] deviations, double fromFloatMax) {

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

        /** @return the deviation below which a fraction {@code p} of the answers lie (0 when none) */
        double deviationPercentile(double p) {
            if (deviations.length == 0) {
                return 0;
            }
            int i = (int) Math.min(deviations.length - 1, Math.ceil(p * deviations.length) - 1);
            return deviations[Math.max(0, i)];
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI predict;
    private final List<byte[]> imageJson;
    private final AnswerCheck check;

    /**
     * @param port      the server's port on 127.0.0.1
     * @param imageJson every image of the pool as JSON
     * @param check     the judge of answers, with every requested adapter's references
     */
    LoadClients(int port, List<String> imageJson, AnswerCheck check) {
        this.predict = URI.create("http://127.0.0.1:" + port + "/v1/predict");
        this.imageJson = imageJson.stream().map(j -> j.getBytes(StandardCharsets.UTF_8)).toList();
        this.check = check;
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
        List<Double> deviations = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.DoubleAccumulator fromFloat = new java.util.concurrent.atomic.DoubleAccumulator(
                Math::max, 0);
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
                        } else {
                            AnswerCheck.Verdict v = judge(JSON.readTree(r.body()), adapter, image);
                            deviations.add(v.deviation());
                            fromFloat.accumulate(v.fromFloat());
                            if (!v.right()) {
                                wrong.incrementAndGet();
                                problems.add(String.format("wrong answer for %s image %d: deviation %.3g (tolerance"
                                        + " %.3g), %.3g from %s: %s", adapter, image, v.deviation(), check.tolerance(),
                                        v.otherDeviation(), v.nearestOther(), r.body()));
                            }
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
        double[] devs;
        synchronized (deviations) {
            devs = deviations.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        return new Outcome(sorted.length, errors.get(), wrong.get(), wall, sorted,
                problems.isEmpty() ? null : problems.get(0), cpu1.format(cpu0, sorted.length, wall), devs,
                fromFloat.get());
    }

    private static byte[] body(byte[] prefix, byte[] image) {
        byte[] body = new byte[prefix.length + image.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(image, 0, body, prefix.length, image.length);
        body[body.length - 1] = '}';
        return body;
    }

    private AnswerCheck.Verdict judge(JsonNode answer, String adapter, int image) {
        JsonNode rows = answer.get("probabilities");
        int classes = check.classes(adapter);
        if (!adapter.equals(answer.path("adapter").asText()) || rows == null || rows.size() != 1
                || rows.get(0).size() != classes) {
            return new AnswerCheck.Verdict(false, Double.POSITIVE_INFINITY, null, Double.POSITIVE_INFINITY,
                    Double.POSITIVE_INFINITY);
        }
        double[] p = new double[classes];
        for (int j = 0; j < classes; j++) {
            p[j] = rows.get(0).get(j).asDouble();
        }
        return check.judge(p, adapter, image);
    }
}
