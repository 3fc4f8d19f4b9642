package io.github.nola4j.samples.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim paragraph of report.md, computed from the runs. */
class ClaimTest {

    private static final int[] SHOTS = {100};
    private static final long[] SEEDS = {1, 2};

    private static Comparison comparison(String methods) {
        return new Comparison(Variant.parseList(methods, 4), SHOTS, SEEDS, new int[] {5, 6}, 200);
    }

    private static void add(List<RunRecord> runs, Variant v, long trainable, double... accuracies) {
        for (int i = 0; i < accuracies.length; i++) {
            runs.add(new RunRecord(v.id(), 100, SEEDS[i], 200, v.learningRate(), accuracies[i], trainable, 4 * trainable,
                    1, new double[] {1}));
        }
    }

    @Test
    void judgesEachNolaVariantWithAQuarterOfLoraRank1OrLess() {
        Comparison c = comparison("head,nola16,nola64,nola256,lora1");
        List<Variant> v = c.variants();
        List<RunRecord> runs = new ArrayList<>();
        add(runs, v.get(0), 0, 0.88, 0.88);
        add(runs, v.get(1), 128, 0.905, 0.905);
        add(runs, v.get(2), 512, 0.915, 0.92);
        add(runs, v.get(3), 2048, 0.93, 0.93);
        add(runs, v.get(4), 2761, 0.92, 0.925);
        String text = ReportWriter.claim(c, runs, 100);
        assertTrue(text.contains("LoRA r=1's 2,761 trainable values within 1 point of LoRA r=1 (92.25 %) and above "
                + "head only (88.00 %)"), text);
        assertTrue(text.contains("- NOLA k=l=16 (128 values): 90.50 %, -1.75 points from LoRA r=1: does not hold."), text);
        assertTrue(text.contains("- NOLA k=l=64 (512 values): 91.75 %, -0.50 points from LoRA r=1: holds."), text);
        assertTrue(!text.contains("k=l=256"), "2,048 values are more than a quarter of 2,761: " + text);
    }

    @Test
    void noClaimWithoutLoraRank1() {
        Comparison c = comparison("head,nola64");
        List<RunRecord> runs = new ArrayList<>();
        add(runs, c.variants().get(1), 512, 0.91);
        assertEquals("", ReportWriter.claim(c, runs, 100));
    }
}
