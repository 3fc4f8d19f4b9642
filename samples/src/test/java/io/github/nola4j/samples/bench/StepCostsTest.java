package io.github.nola4j.samples.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepCostsTest {

    private static volatile Object kept;

    @Test
    void separatesBusyWaitingFromSleepingAndCountsAllocation() {
        List<String> order = new ArrayList<>();
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("spin", () -> {
            order.add("spin");
            long end = System.nanoTime() + 3_000_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        cases.put("sleep", () -> {
            order.add("sleep");
            try {
                Thread.sleep(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        cases.put("allocate", () -> {
            order.add("allocate");
            kept = new byte[1 << 20];
        });
        Map<String, StepCosts> costs = StepCosts.interleaved(cases, 1, 20);
        assertEquals(List.of("spin", "sleep", "allocate"), new ArrayList<>(costs.keySet()));
        assertEquals(List.of("spin", "sleep", "allocate", "sleep", "allocate", "spin"), order.subList(0, 6),
                "the same rotation as Timing.interleaved");
        StepCosts spin = costs.get("spin");
        StepCosts sleep = costs.get("sleep");
        assertEquals(20, spin.wall().samples().length);
        assertTrue(sleep.wall().median() >= 3, sleep.format());
        assertTrue(spin.threadCpu().median() > 10 * sleep.threadCpu().median(),
                "a busy-waiting step uses CPU, a sleeping one does not: " + spin.format() + " / " + sleep.format());
        // the process's CPU includes the stepping thread's (and other threads', such as the JIT compiler's, whose
        // work can fall into the sleeping steps, so the two kinds' process CPU is not compared)
        assertTrue(spin.processCpu() >= 0.5 * spin.threadCpu().median(), "process CPU, summed over the steps: "
                + spin.format());
        assertTrue(costs.get("allocate").allocated() >= 1 << 20, costs.get("allocate").format());
        assertTrue(costs.get("allocate").format().matches("thread_cpu_ms=\\S+ \\(p10 \\S+, p90 \\S+\\) process_cpu_ms=\\S+ "
                + "alloc_kb=\\S+ gc=\\d+"), costs.get("allocate").format());
    }
}
