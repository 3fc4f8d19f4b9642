package io.github.nola4j.samples.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small x-y chart drawn with java.awt into a PNG (headless): series of points with optional
 * error bars, point labels and connecting lines, dashed horizontal reference lines, a linear or
 * log-10 x axis and a legend on the right.
 */
public final class Chart {

    /** One point; {@code error} is the half-height of its error bar (0: none), {@code label} may be null. */
    public record Point(double x, double y, double error, String label) {
    }

    /** A named series of points, joined by lines when {@code lines}. */
    public record Series(String name, Color color, List<Point> points, boolean lines) {
    }

    /** A dashed horizontal line at {@code y}. */
    public record Reference(String name, Color color, double y) {
    }

    /** Colours of the series, in order. */
    public static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0x17becf), new Color(0xbcbd22)};

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 72;
    private static final int RIGHT = 210;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();

    public Chart(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    public Chart add(Series s) {
        series.add(s);
        return this;
    }

    public Chart add(Reference r) {
        references.add(r);
        return this;
    }

    /** Draws the chart and writes it as PNG. */
    public void write(Path file) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g);
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double[] xr = range(true);
        double[] yr = range(false);
        Axes axes = new Axes(xr, yr);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 24);
        drawGridAndTicks(g, axes);
        for (Reference r : references) {
            g.setColor(r.color());
            g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {7, 5}, 0));
            int y = axes.py(r.y());
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (Series s : series) {
            g.setColor(s.color());
            Stroke line = new BasicStroke(s.lines() && s.points().size() > 60 ? 1.4f : 2f);
            g.setStroke(line);
            Point prev = null;
            for (Point p : s.points()) {
                int x = axes.px(p.x());
                int y = axes.py(p.y());
                if (s.lines() && prev != null) {
                    g.drawLine(axes.px(prev.x()), axes.py(prev.y()), x, y);
                }
                if (!s.lines() || s.points().size() <= 12) {
                    g.fillOval(x - 4, y - 4, 9, 9);
                }
                if (p.error() > 0) {
                    int top = axes.py(p.y() + p.error());
                    int bottom = axes.py(p.y() - p.error());
                    g.drawLine(x, top, x, bottom);
                    g.drawLine(x - 4, top, x + 4, top);
                    g.drawLine(x - 4, bottom, x + 4, bottom);
                }
                if (p.label() != null) {
                    g.drawString(p.label(), x + 6, y - 6);
                }
                prev = p;
            }
        }
        drawLegend(g);
    }

    private void drawGridAndTicks(Graphics2D g, Axes axes) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int y0 = HEIGHT - BOTTOM;
        for (double t : axes.yTicks()) {
            int y = axes.py(t);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x0, y, x1, y);
            g.setColor(Color.BLACK);
            String s = Ticks.format(t);
            g.drawString(s, x0 - 6 - fm.stringWidth(s), y + 4);
        }
        for (double t : axes.xTicks()) {
            int x = axes.px(t);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x, TOP, x, y0);
            g.setColor(Color.BLACK);
            String s = logX ? Ticks.formatPower(t) : Ticks.format(t);
            g.drawString(s, x - fm.stringWidth(s) / 2, y0 + 18);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawRect(x0, TOP, x1 - x0, y0 - TOP);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        fm = g.getFontMetrics();
        g.drawString(xLabel, (x0 + x1 - fm.stringWidth(xLabel)) / 2, HEIGHT - 14);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + y0 + fm.stringWidth(yLabel)) / 2, 20);
        g.setTransform(saved);
    }

    private void drawLegend(Graphics2D g) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int x = WIDTH - RIGHT + 14;
        int y = TOP + 12;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2.5f));
            g.drawLine(x, y - 4, x + 22, y - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), x + 28, y);
            y += 19;
        }
        for (Reference r : references) {
            g.setColor(r.color());
            g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 3}, 0));
            g.drawLine(x, y - 4, x + 22, y - 4);
            g.setColor(Color.BLACK);
            g.drawString(r.name(), x + 28, y);
            y += 19;
        }
    }

    /** @return [min, max] of the data in x or y (errors and references included), padded */
    private double[] range(boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (Point p : s.points()) {
                double lo = x ? p.x() : p.y() - p.error();
                double hi = x ? p.x() : p.y() + p.error();
                min = Math.min(min, lo);
                max = Math.max(max, hi);
            }
        }
        if (!x) {
            for (Reference r : references) {
                min = Math.min(min, r.y());
                max = Math.max(max, r.y());
            }
        }
        if (!(min <= max)) {
            return new double[] {0, 1};
        }
        if (x && logX) {
            return new double[] {Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max)))};
        }
        double pad = Math.max((max - min) * 0.06, 1e-9);
        return new double[] {min - pad, max + pad};
    }

    /** Data to pixel mapping. */
    private final class Axes {
        private final double[] xr;
        private final double[] yr;

        Axes(double[] xr, double[] yr) {
            this.xr = xr;
            this.yr = yr;
        }

        int px(double x) {
            double f = logX ? (Math.log10(x) - Math.log10(xr[0])) / (Math.log10(xr[1]) - Math.log10(xr[0]))
                    : (x - xr[0]) / (xr[1] - xr[0]);
            return (int) Math.round(LEFT + f * (WIDTH - RIGHT - LEFT));
        }

        int py(double y) {
            double f = (y - yr[0]) / (yr[1] - yr[0]);
            return (int) Math.round(HEIGHT - BOTTOM - f * (HEIGHT - BOTTOM - TOP));
        }

        List<Double> xTicks() {
            return logX ? Ticks.powers(xr[0], xr[1]) : Ticks.linear(xr[0], xr[1]);
        }

        List<Double> yTicks() {
            return Ticks.linear(yr[0], yr[1]);
        }
    }
}
