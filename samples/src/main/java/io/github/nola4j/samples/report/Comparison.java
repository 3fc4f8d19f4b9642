package io.github.nola4j.samples.report;

import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.FinetuneConfig;
import io.github.nola4j.samples.train.FinetuneResult;
import io.github.nola4j.samples.train.Finetuning;
import io.github.nola4j.samples.train.ProgressBar;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every variant at every shots setting and seed (skipping runs already in {@code runs.csv}
 * of the output folder), then writes {@code report.md} and the plots there.
 *
 * @param variants what to compare
 * @param shots    images per class settings
 * @param seeds    run seeds
 * @param classes  target classes
 * @param steps    Adam steps per run
 */
public record Comparison(List<Variant> variants, int[] shots, long[] seeds, int[] classes, int steps) {

    /** Name of the run log in the output folder. */
    public static final String RUNS_FILE = "runs.csv";

    /**
     * @param base null to train nothing and return only the runs already in the log
     * @return the runs of this comparison, old and new, in the order of the grid
     */
    public List<RunRecord> run(MultiLayerNetwork base, TrainTestData data, Path outDir, ProgressBar progress,
                               PrintStream out) {
        RunLog<RunRecord> log = new RunLog<>(outDir.resolve(RUNS_FILE), RunRecord.HEADER, RunRecord::fromCsv,
                RunRecord::toCsv);
        List<RunRecord> grid = new ArrayList<>();
        int total = variants.size() * shots.length * seeds.length;
        int done = 0;
        for (int shot : shots) {
            for (Variant v : variants) {
                for (long seed : seeds) {
                    done++;
                    var old = log.find(r -> r.isRun(v.id(), shot, seed, steps, v.learningRate()));
                    if (old.isPresent()) {
                        grid.add(old.get());
                        continue;
                    }
                    if (base == null) {
                        continue;
                    }
                    FinetuneConfig config = new FinetuneConfig(v.method(), classes, shot,
                            v.spec(seed), steps,
                            FinetuneConfig.DEFAULT_BATCH, v.learningRate(), seed);
                    FinetuneResult r = Finetuning.run(base, data, config, progress);
                    RunRecord record = new RunRecord(v.id(), shot, seed, steps, v.learningRate(), r.accuracy(),
                            r.trainableWithoutHead(), r.adapterBytes(), r.trainSeconds(), r.losses());
                    log.add(record);
                    grid.add(record);
                    out.printf("  [%d/%d] %-22s shots %3d seed %d: %.2f %% (%.0f s)%n", done, total, v.label(), shot,
                            seed, 100 * r.accuracy(), r.trainSeconds() + r.evalSeconds());
                }
            }
        }
        return grid;
    }
}
