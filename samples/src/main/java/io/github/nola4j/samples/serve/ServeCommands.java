package io.github.nola4j.samples.serve;

import io.github.nola4j.samples.CommandLine;
import io.github.nola4j.samples.Option;
import io.github.nola4j.samples.UsageException;
import org.deeplearning4j.nn.api.Model;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code serve}, {@code loadtest} and {@code make-adapters} command lines:
 * <pre>
 *   make-adapters --model cnn|resnet50 [--size 96] [--base FILE] --adapters DIR [--count 100]
 *   serve --adapters DIR [--model cnn|resnet50] [--size 96] [--base FILE] [--host 127.0.0.1] [--port 8080]
 *         [--engine mixed|bank] [--batch-wait-us 2000] [--batch-threads N] [--op-threads 1] [--cache-mb 256]
 *         [--max-body-kb 16384]
 *   loadtest [--model cnn|resnet50] [--size 96] [--count 100] [--clients 16] [--requests 10000] [--seconds 600]
 *            [--baselines] [--add-every-ms N] [--batch-wait-us 2000] [--batch-threads N] [--op-threads 1]
 *            [--cache-mb 256]
 * </pre>
 */
public final class ServeCommands {

    /**
     * The least tolerance of an answer, relative to the row's largest probability, against the exact (double)
     * output; the load test's tolerance is twice the float AdapterBank's measured rounding when that is more
     * ({@link AnswerCheck}: zoo ResNet50's 53 float layers round up to 3e-4, the samples CNN's about 1e-6).
     */
    static final double TOLERANCE = 1e-4;

    private ServeCommands() {
    }

    /** @return the exit status */
    public static int run(CommandLine line, PrintStream out) throws IOException {
        ServedModel model = ServedModel.of(line.has(Option.MODEL) ? line.text(Option.MODEL) : "cnn",
                line.has(Option.SIZE) ? line.integer(Option.SIZE, 96, 32) : 0, line.path(Option.BASE));
        try {
            return switch (line.command()) {
                case MAKE_ADAPTERS -> makeAdapters(line, model, out);
                case SERVE -> serve(line, model, out);
                case LOADTEST -> loadtest(line, model, out);
                default -> throw new IllegalStateException(line.command().toString());
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int makeAdapters(CommandLine line, ServedModel model, PrintStream out) throws IOException {
        Path dir = requiredFolder(line);
        int count = line.integer(Option.COUNT, 100, 1);
        long t0 = System.nanoTime();
        List<Path> files = AdapterMaker.write(model.transfer(model.base()), dir, 0, count);
        out.printf("make-adapters model=%s wrote %d adapters to %s in %.1f s%n", model.name(), files.size(), dir,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static int serve(CommandLine line, ServedModel model, PrintStream out) throws Exception {
        Path dir = requiredFolder(line);
        long rss0 = LoadTest.collectedRss();
        Model base = model.base();
        long rssBase = LoadTest.collectedRss();
        AdapterServer.Settings http = new AdapterServer.Settings(line.has(Option.HOST) ? line.text(Option.HOST)
                : "127.0.0.1", line.integer(Option.PORT, 8080, 0), maxBody(line), 64);
        ServerStart.Engine engine = switch (line.has(Option.ENGINE) ? line.text(Option.ENGINE) : "mixed") {
            case "mixed" -> ServerStart.Engine.MIXED;
            case "bank" -> ServerStart.Engine.BANK;
            default -> throw new UsageException("--engine " + line.text(Option.ENGINE) + " is not mixed or bank");
        };
        ServerStart server = ServerStart.start(base, model, dir, http, tuning(line, engine));
        base = null;   // the server runs the network NolaTransfer.restore rebuilt, with its own copy of W; free this one
        long rssAdapters = LoadTest.collectedRss();
        var adapters = server.adapters().served().adapters();
        out.printf("serve model=%s image=%s adapters=%d skipped=%d adapter_bytes=%d rss_mb start=%d with_base=%d"
                        + " with_adapters=%d (adapted network and adapters: +%d MB)%n", model.name(),
                java.util.Arrays.toString(model.imageShape()), adapters.size(), server.adapters().skipped().size(),
                adapters.bytes(), rss0 >> 20, rssBase >> 20, rssAdapters >> 20, (rssAdapters - rssBase) >> 20);
        out.printf("serving on http://%s:%d (POST /v1/predict, GET /v1/adapters, GET /health); Ctrl-C stops%n",
                http.host(), server.server().port());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    private static int loadtest(CommandLine line, ServedModel model, PrintStream out) throws Exception {
        int requests = line.integer(Option.REQUESTS, 10_000, 1);
        double seconds = line.has(Option.SECONDS) ? line.positive(Option.SECONDS) : 600;
        LoadTest.Settings s = new LoadTest.Settings(model, line.integer(Option.CLIENTS, 16, 1),
                line.integer(Option.COUNT, 100, 1), requests, seconds,
                line.integer(Option.WARMUP, Math.max(20, requests / 5), 1), 16, TOLERANCE,
                line.has(Option.BASELINES), line.integer(Option.ADD_EVERY_MS, 0, 0),
                tuning(line, ServerStart.Engine.MIXED), maxBody(line));
        return LoadTest.run(s, LoadTest.workDirectory(), out) ? 0 : 1;
    }

    private static ServerStart.Tuning tuning(CommandLine line, ServerStart.Engine engine) {
        return new ServerStart.Tuning(engine, line.integer(Option.BATCH_THREADS,
                Runtime.getRuntime().availableProcessors(), 1), line.integer(Option.BATCH_WAIT_US, 2000, 0), 64,
                (long) line.integer(Option.CACHE_MB, 256, 0) << 20, line.integer(Option.OP_THREADS, 1, 0));
    }

    private static long maxBody(CommandLine line) {
        return (long) line.integer(Option.MAX_BODY_KB, 16_384, 1) << 10;
    }

    private static Path requiredFolder(CommandLine line) {
        Path dir = line.path(Option.ADAPTERS);
        if (dir == null) {
            throw new UsageException(line.command().cliName() + " needs --adapters DIR, the folder of *.nola files");
        }
        return dir;
    }
}
