package io.github.nola4j.samples.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long task with the time spent and the estimated time left (ETA: time spent ·
 * (total − done) / done). On a terminal it is one line redrawn with carriage returns at most every
 * {@value #REDRAW_MILLIS} ms; into a file or pipe (no console) it writes plain lines, one per
 * {@value #LINE_PERCENT} % of the task and the last one, so logs hold no carriage returns.
 * {@link #SILENT} draws nothing.
 */
public class ProgressBar {

    /** Draws nothing (tests, --quiet). */
    public static final ProgressBar SILENT = new ProgressBar(null, "", 1, false);

    private static final int WIDTH = 30;
    private static final long REDRAW_MILLIS = 200;
    private static final int LINE_PERCENT = 10;

    private final PrintStream out;
    private final String task;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long lastLinePercent = -1;

    /**
     * @param out      where to draw (stderr), or null for nothing
     * @param task     label in front of the bar
     * @param total    number of steps
     * @param terminal whether {@code out} is a terminal (redraw in place) or a file or pipe (plain lines)
     */
    public ProgressBar(PrintStream out, String task, long total, boolean terminal) {
        this.out = out;
        this.task = task;
        this.total = Math.max(1, total);
        this.terminal = terminal;
    }

    /** @return a bar on {@code out} that redraws in place only when the JVM has a console */
    public static ProgressBar forStream(PrintStream out) {
        return new ProgressBar(out, "", 1, System.console() != null);
    }

    /** @return a bar with the same stream and a new task */
    public ProgressBar next(String nextTask, long nextTotal) {
        return new ProgressBar(out, nextTask, nextTotal, terminal);
    }

    /** Shows {@code done} of total steps, with an optional note such as the loss. */
    public void update(long done, String note) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        double seconds = (now - start) / 1e9;
        if (terminal) {
            if (done < total && now - lastDraw < REDRAW_MILLIS * 1_000_000L) {
                return;
            }
            lastDraw = now;
            int filled = (int) (WIDTH * Math.min(done, total) / total);
            out.print(String.format(Locale.ROOT, "\r%-18s [%s%s] %d/%d %5.1fs %s %s", task, "=".repeat(filled),
                    " ".repeat(WIDTH - filled), done, total, seconds, eta(done, seconds), note));
            if (done >= total) {
                out.println();
            }
        } else {
            long percent = 100 * Math.min(done, total) / total;
            if (done < total && percent / LINE_PERCENT == lastLinePercent / LINE_PERCENT) {
                return;
            }
            lastLinePercent = percent;
            out.println(String.format(Locale.ROOT, "%s %d/%d (%d %%) %.1fs %s %s", task, done, total, percent,
                    seconds, eta(done, seconds), note));
        }
        out.flush();
    }

    /** @return "ETA 12s" from the mean time per step so far, or "ETA ?" before the first step */
    public static String timeLeft(long done, double seconds, long total) {
        if (done <= 0) {
            return "ETA ?";
        }
        double left = seconds * (total - Math.min(done, total)) / done;
        return left >= 90 ? String.format(Locale.ROOT, "ETA %.1fmin", left / 60)
                : String.format(Locale.ROOT, "ETA %.0fs", left);
    }

    private String eta(long done, double seconds) {
        return timeLeft(done, seconds, total);
    }
}
