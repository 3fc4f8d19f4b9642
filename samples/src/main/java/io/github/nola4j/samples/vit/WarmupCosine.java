package io.github.nola4j.samples.vit;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.HashMap;
import java.util.Map;

/**
 * The learning rate of the NOLA ViT recipe by step: a linear warm-up from {@link #MIN_RATE} to the
 * peak over {@code warmupSteps}, then a cosine from the peak down to {@link #MIN_RATE} at the last
 * step (PyTorch's {@code CosineAnnealingLR(optimizer, T, eta_min=1e-6)}, here per step):
 * <pre>
 *   lr(t) = min + (peak − min)·(t + 1) / w                          t &lt; w
 *   lr(t) = min + (peak − min)·(1 + cos(π·(t − w) / (T − w))) / 2    w ≤ t &lt; T
 * </pre>
 * With w = 0 (the recipe's {@code --warmup-epochs 0}) it is the plain cosine.
 */
public final class WarmupCosine {

    /** Floor of the schedule, the recipe's eta_min. */
    public static final double MIN_RATE = 1e-6;

    private WarmupCosine() {
    }

    /** @return lr(t) for step t of {@code steps} */
    public static double rate(double peak, int warmupSteps, int steps, int t) {
        if (t < warmupSteps) {
            return MIN_RATE + (peak - MIN_RATE) * (t + 1) / warmupSteps;
        }
        int decay = Math.max(1, steps - warmupSteps);
        return MIN_RATE + (peak - MIN_RATE) * (1 + Math.cos(Math.PI * Math.min(t - warmupSteps, decay) / decay)) / 2;
    }

    /**
     * @return the schedule as an ND4J updater schedule by iteration (SameDiff counts one iteration per
     * {@code fit} of a minibatch)
     * @throws IllegalArgumentException when steps &lt; 1, the warm-up is negative or not shorter than the run,
     *                                  or the peak is not a positive number
     */
    public static ISchedule schedule(double peak, int warmupSteps, int steps) {
        if (steps < 1 || warmupSteps < 0 || warmupSteps >= steps || !(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("warm-up " + warmupSteps + " of " + steps + " steps at peak " + peak
                    + ": need 0 ≤ warm-up < steps and a positive peak rate, e.g. warm-up 10 of 200 steps at 1e-2");
        }
        Map<Integer, Double> values = new HashMap<>();
        for (int t = 0; t < steps; t++) {
            values.put(t, rate(peak, warmupSteps, steps, t));
        }
        return new MapSchedule(ScheduleType.ITERATION, values);
    }
}
