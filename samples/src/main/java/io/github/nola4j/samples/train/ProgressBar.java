package io.github.nola4j.samples.train;

import java.io.PrintStream;

/**
 * A one-line text progress bar, redrawn with carriage returns at most every
 * {@value #REDRAW_MILLIS} ms. {@link #SILENT} draws nothing.
 */
public class ProgressBar {

    /** Draws nothing (tests, --quiet). */
    public static final ProgressBar SILENT = new ProgressBar(null, "", 1);

    private static final int WIDTH = 30;
    private static final long REDRAW_MILLIS = 200;

    private final PrintStream out;
    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    /**
     * @param out   where to draw (stderr), or null for nothing
     * @param task  label in front of the bar
     * @param total number of steps
     */
    public ProgressBar(PrintStream out, String task, long total) {
        this.out = out;
        this.task = task;
        this.total = Math.max(1, total);
    }

    /** @return a bar with the same stream and a new task */
    public ProgressBar next(String nextTask, long nextTotal) {
        return new ProgressBar(out, nextTask, nextTotal);
    }

    /** Shows {@code done} of total steps, with an optional note such as the loss. */
    public void update(long done, String note) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < REDRAW_MILLIS * 1_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = (int) (WIDTH * done / total);
        double seconds = (now - start) / 1e9;
        out.print(String.format("\r%-18s [%s%s] %d/%d %5.1fs %s", task, "=".repeat(filled),
                " ".repeat(WIDTH - filled), done, total, seconds, note));
        if (done >= total) {
            out.println();
        }
        out.flush();
    }
}
