package io.github.nola4j.samples.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target verdicts of report.md, computed from the runs. */
class TargetsTest {

    private static final long[] SEEDS = {1, 2};

    private static void add(List<RunRecord> runs, Variant v, long trainable, double... accuracies) {
        for (int i = 0; i < accuracies.length; i++) {
            runs.add(new RunRecord(v.id(), 100, SEEDS[i], 200, v.learningRate(), accuracies[i], trainable,
                    4 * trainable, 1, new double[] {1}));
        }
    }

    @Test
    void judgesK256MonotonicityAndEqualCountAgainstLoraRank1() {
        Comparison c = new Comparison(Variant.parseList("nola16,nola64,nola256,nola345,lora1", 4), new int[] {100},
                SEEDS, new int[] {5, 6}, 200);
        List<Variant> v = c.variants();
        List<RunRecord> runs = new ArrayList<>();
        add(runs, v.get(0), 128, 0.91, 0.91);
        add(runs, v.get(1), 512, 0.905, 0.915);     // 91.00 ± 0.71: no fall from 91.00
        add(runs, v.get(2), 2048, 0.93, 0.932);     // 93.10 ± 0.14
        add(runs, v.get(3), 2760, 0.92, 0.92);      // 92.00: falls by 1.10 > 0.14
        add(runs, v.get(4), 2761, 0.925, 0.925);
        String text = Targets.verdicts(c, runs, 100);
        assertTrue(text.contains("- NOLA k=l=256 at least 93.0 %: 93.10 ± 0.14: met."), text);
        assertTrue(text.contains("from NOLA k=l=16 to NOLA k=l=64 (within one std, 0.71): 91.00 ± 0.00 vs "
                + "91.00 ± 0.71: met."), text);
        assertTrue(text.contains("from NOLA k=l=256 to NOLA k=l=345 (within one std, 0.14): 93.10 ± 0.14 vs "
                + "92.00 ± 0.00: missed."), text);
        assertTrue(text.contains("- NOLA k=l=345 (2,760 values) at least LoRA r=1 (2,761 values): 92.00 ± 0.00 vs "
                + "92.50 ± 0.00, -0.50 points: missed."), text);
        assertTrue(!text.contains("NOLA k=l=256 (2,048 values) at least"), "2,048 is not LoRA r=1's count: " + text);
    }

    @Test
    void nothingWithoutNola() {
        Comparison c = new Comparison(Variant.parseList("head,lora1", 4), new int[] {100}, SEEDS, new int[] {5, 6},
                200);
        List<RunRecord> runs = new ArrayList<>();
        add(runs, c.variants().get(1), 2761, 0.92);
        assertEquals("", Targets.verdicts(c, runs, 100));
    }
}
