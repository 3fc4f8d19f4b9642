package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.adapter.AdapterFiles;
import io.github.nola4j.layers.adapter.format.ExtraTensor;
import io.github.nola4j.layers.serving.MixedAdapterNetwork;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A running server: the base, its adapter directory, the predictor and the HTTP endpoint, started together.
 *
 * @param adapters the resident adapters
 * @param server   the endpoint
 */
public record ServerStart(AdapterDirectory adapters, AdapterServer server) implements AutoCloseable {

    /** How requests are answered. */
    public enum Engine {
        /** batched across adapters ({@link BatchingPredictor}) */
        MIXED,
        /** one at a time through one AdapterBank with a lock ({@link LockedBankPredictor}), the baseline */
        BANK
    }

    /**
     * @param workers     batch threads of the mixed engine
     * @param waitMicros  the mixed engine's bounded wait for requests to batch with
     * @param maxRows     the most images in one mixed batch
     * @param cacheBytes  the factor cache's budget
     * @param opThreads   the most threads one native op uses while the mixed engine runs ({@link OpThreads}; 0:
     *                    ND4J's own setting); the bank engine keeps ND4J's setting
     */
    public record Tuning(Engine engine, int workers, long waitMicros, int maxRows, long cacheBytes, int opThreads) {
    }

    /** Loads the base and the directory and starts serving. */
    public static ServerStart start(Model base, ServedModel model, Path dir, AdapterServer.Settings settings,
                                    Tuning tuning) throws IOException {
        AdapterDirectory d = AdapterDirectory.load(base, dir, tuning.cacheBytes());
        MixedAdapterNetwork served = d.served();
        Predictor predictor;
        if (tuning.engine() == Engine.MIXED) {
            predictor = new BatchingPredictor(served, tuning.workers(), tuning.waitMicros(), tuning.maxRows(),
                    tuning.opThreads());
        } else {
            Map<String, Path> files = new LinkedHashMap<>();
            Set<String> extraLayers = new LinkedHashSet<>();
            for (String name : served.adapters().names()) {
                Path f = dir.resolve(name + AdapterFiles.EXTENSION);
                files.put(name, f);
                for (ExtraTensor t : AdapterFiles.read(f).extraTensors()) {
                    extraLayers.add(t.layer());
                }
            }
            predictor = new LockedBankPredictor(d.network(), extraLayers, files);
        }
        AdapterServer.Status status = new AdapterServer.Status() {
            @Override
            public List<String> names() {
                return served.adapters().names();
            }

            @Override
            public Map<String, String> skipped() {
                return d.skipped();
            }

            @Override
            public Map<String, Object> health() {
                return Map.of("adapters", served.adapters().size(), "adapter_bytes", served.adapters().bytes(),
                        "factor_cache_bytes", served.factors().bytes(), "rss_bytes", Pointer.physicalBytes(),
                        "engine", tuning.engine().name().toLowerCase(java.util.Locale.ROOT));
            }
        };
        return new ServerStart(d, new AdapterServer(settings, model.imageShape(), predictor, status));
    }

    @Override
    public void close() {
        server.close();
    }
}
