package io.github.nola4j.samples.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.nola4j.layers.serving.UnknownAdapterException;
import org.nd4j.shade.jackson.core.JsonGenerator;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP endpoint, on the JDK's {@link HttpServer}:
 * <pre>
 *   POST /v1/predict   {"adapter": NAME, "image": IMAGE} or {"adapter": NAME, "images": [...]}  ({@link PredictRequest})
 *   POST /v1/predict?adapter=NAME   with Content-Type: image/png, the body one PNG  ({@link PngRequest})
 *                      → {"adapter": NAME, "probabilities": [[p, ...], ...]}
 *   GET  /v1/adapters  → {"adapters": [NAME, ...], "skipped": {NAME: REASON, ...}}
 *   GET  /health       → {"status": "ok", "adapters": N, "adapter_bytes": B, "factor_cache_bytes": F}
 * </pre>
 * Errors are JSON {@code {"error": MESSAGE, ...}}: 404 for an unknown adapter (with {@code "known_adapters"}),
 * 400 for a malformed body or an image of the wrong shape (with {@code "expected_shape"}), 413 for a body over
 * the limit, 405 for another method; the server keeps serving. Adapter names in requests only select among
 * the resident adapters, never a file.
 */
public final class AdapterServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most bytes of a refused body read and dropped before answering 413. */
    private static final long DRAIN_LIMIT = 64L << 20;
    /** The handler threads' names begin so. */
    static final String THREAD_PREFIX = "http-handler-";
    /**
     * The JDK server's switch for TCP_NODELAY on the connections it accepts (read once, when its first server is
     * made). Off, an answer's body waited behind its headers for the client's delayed ACK (Nagle's algorithm):
     * about 40 ms per request on Linux's loopback, which bounded the server's requests/s by the clients' count
     * rather than by its cores. Set here unless the user set it (-Dsun.net.httpserver.nodelay=false keeps Nagle).
     */
    static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

    static {
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
    }

    /**
     * @param host         address to bind (127.0.0.1 unless told otherwise)
     * @param port         port, 0 for any free one
     * @param maxBodyBytes the largest request body accepted
     * @param httpThreads  threads reading requests and writing answers
     */
    public record Settings(String host, int port, long maxBodyBytes, int httpThreads) {
    }

    /** What the server reports about its adapters. */
    public interface Status {
        /** @return resident adapter names */
        java.util.List<String> names();

        /** @return name → reason of adapter files skipped */
        Map<String, String> skipped();

        /** @return extra fields of /health */
        Map<String, Object> health();
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Predictor predictor;
    private final long[] imageShape;
    private final long maxBodyBytes;
    private final Status status;

    /** Binds and starts serving. */
    public AdapterServer(Settings settings, long[] imageShape, Predictor predictor, Status status) throws IOException {
        this.predictor = predictor;
        this.imageShape = imageShape.clone();
        this.maxBodyBytes = settings.maxBodyBytes();
        this.status = status;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()),
                256);
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        this.executor = Executors.newFixedThreadPool(settings.httpThreads(),
                r -> new Thread(r, THREAD_PREFIX + threads.getAndIncrement()));
        server.setExecutor(executor);
        server.createContext("/v1/predict", e -> handle(e, "POST", this::predict));
        server.createContext("/v1/adapters", e -> handle(e, "GET", this::adapters));
        server.createContext("/health", e -> handle(e, "GET", this::health));
        server.start();
    }

    /** @return what answers the requests */
    public Predictor predictor() {
        return predictor;
    }

    /** @return the port bound */
    public int port() {
        return server.getAddress().getPort();
    }

    private Answer predict(HttpExchange e) throws IOException, InterruptedException {
        PredictRequest request = PngRequest.isPng(e.getRequestHeaders().getFirst("Content-Type"))
                ? PngRequest.parse(readBody(e), e.getRequestURI().getRawQuery(), imageShape)
                : PredictRequest.parse(readBody(e), imageShape);
        float[][] p;
        try {
            p = predictor.predict(request.images(), new long[] {request.count(), imageShape[0], imageShape[1],
                    imageShape[2]}, request.adapter());
        } catch (UnknownAdapterException unknown) {
            throw new HttpError(404, "no adapter \"" + unknown.name() + "\"; the server holds "
                    + unknown.known().size() + " adapters, listed in \"known_adapters\"",
                    Map.of("known_adapters", unknown.known()));
        }
        return g -> {
            g.writeStartObject();
            g.writeStringField("adapter", request.adapter());
            g.writeArrayFieldStart("probabilities");
            for (float[] row : p) {
                g.writeStartArray();
                for (float v : row) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }

    private Answer adapters(HttpExchange e) {
        ObjectNode out = JSON.createObjectNode();
        out.set("adapters", JSON.valueToTree(status.names()));
        out.set("skipped", JSON.valueToTree(status.skipped()));
        return tree(out);
    }

    private Answer health(HttpExchange e) {
        ObjectNode out = JSON.createObjectNode();
        out.put("status", "ok");
        status.health().forEach((k, v) -> out.set(k, JSON.valueToTree(v)));
        return tree(out);
    }

    private byte[] readBody(HttpExchange e) throws IOException {
        String length = e.getRequestHeaders().getFirst("Content-Length");
        try (InputStream in = e.getRequestBody()) {
            if (length != null && length.matches("\\d{1,18}")) {
                long declared = Long.parseLong(length);
                if (declared > maxBodyBytes) {
                    drain(in);
                    throw tooLarge(declared);
                }
                if (declared <= Integer.MAX_VALUE - 8) {   // one array of the declared size: readNBytes(max) reads
                    byte[] body = new byte[(int) declared];   // into 8 KB chunks and copies them, twice the garbage
                    int read = in.readNBytes(body, 0, body.length);
                    return read == body.length ? body : Arrays.copyOf(body, read);
                }
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (body.length > maxBodyBytes) {
                drain(in);
                throw tooLarge(body.length);
            }
            return body;
        }
    }

    /**
     * Reads and drops what is left of a refused body, up to {@value #DRAIN_LIMIT} bytes, so that the client
     * (still sending) receives the 413 instead of a reset connection; a longer body is cut off.
     */
    private static void drain(InputStream in) throws IOException {
        long left = DRAIN_LIMIT;
        byte[] buffer = new byte[1 << 16];
        int n;
        while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= n;
        }
    }

    private HttpError tooLarge(long bytes) {
        return new HttpError(413, "the body has " + bytes + (bytes > maxBodyBytes ? "" : "+") + " bytes, over the"
                + " limit of " + maxBodyBytes + " bytes; send fewer images per request or raise --max-body-kb",
                Map.of("limit_bytes", maxBodyBytes));
    }

    private interface Handler {
        Answer answer(HttpExchange e) throws IOException, InterruptedException;
    }

    /** A JSON answer, written with Jackson's streaming generator (no tree of nodes for the probabilities). */
    private interface Answer {
        void write(JsonGenerator g) throws IOException;
    }

    private static Answer tree(ObjectNode node) {
        return g -> JSON.writeTree(g, node);
    }

    private void handle(HttpExchange e, String method, Handler handler) throws IOException {
        int code = 200;
        Answer out;
        try {
            if (!e.getRequestMethod().equals(method)) {
                throw new HttpError(405, e.getRequestMethod() + " is not served on " + e.getRequestURI().getPath()
                        + "; use " + method);
            }
            out = handler.answer(e);
        } catch (HttpError err) {
            code = err.status();
            ObjectNode body = error(err.getMessage());
            for (Map.Entry<String, Object> f : err.fields().entrySet()) {
                body.set(f.getKey(), JSON.valueToTree(f.getValue()));
            }
            out = tree(body);
        } catch (InterruptedException err) {
            Thread.currentThread().interrupt();
            code = 503;
            out = tree(error("the server is stopping"));
        } catch (RuntimeException err) {
            LOG.error("request to {} failed", e.getRequestURI(), err);
            code = 500;
            out = tree(error("internal error: " + err));
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.getFactory().createGenerator(buffer)) {
            out.write(g);
        }
        byte[] bytes = buffer.toByteArray();
        e.getResponseHeaders().set("Content-Type", "application/json");
        e.sendResponseHeaders(code, bytes.length);
        try (OutputStream os = e.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static ObjectNode error(String message) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", message);
        return out;
    }

    /** Stops accepting, then stops the predictor. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        predictor.close();
    }
}
