package io.github.nola4j.samples.vit;

import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.samples.report.Stats;
import io.github.nola4j.samples.report.Variant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes {@code vit-report.md}: one row per method (mean ± std over the seeds, every seed, the worst,
 * adapter file sizes at fp32 and 4 bits, the 4-bit file's accuracy), then the ViT targets
 * checked on these runs.
 */
final class VitReport {

    static final String REPORT = "vit-report.md";

    private VitReport() {
    }

    /** @return the report's path */
    static Path write(List<Variant> variants, List<VitRecord> runs, Path outDir, String header) {
        StringBuilder md = new StringBuilder("# NOLA on a ViT in SameDiff\n\n").append(header).append("\n\n");
        md.append("| method | lr | trainable below head | adapter file fp32 / 4-bit bytes | accuracy % | seeds | worst"
                + " | 4-bit file accuracy % |\n|---|---|---|---|---|---|---|---|\n");
        for (Variant v : variants) {
            List<VitRecord> rs = of(runs, v);
            if (rs.isEmpty()) {
                continue;
            }
            VitResult first = rs.get(0).result();
            String bytes = first.fileBytes32() == 0 ? "—" : String.format(Locale.ROOT, "%,d / %s", first.fileBytes32(),
                    first.fileBytes4() == 0 ? "—" : String.format(Locale.ROOT, "%,d", first.fileBytes4()));
            Stats ptq = Stats.of(rs.stream().mapToDouble(r -> r.result().accuracy4()).filter(a -> !Double.isNaN(a))
                    .toArray());
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s | %s | %.2f | %s |%n", v.label(),
                    rs.get(0).lr(), first.trainable(), bytes, accuracy(rs).percent(),
                    rs.stream().map(r -> String.format(Locale.ROOT, "%.2f", 100 * r.result().accuracy()))
                            .collect(Collectors.joining(" / ")), 100 * worst(rs), ptq.percent()));
        }
        md.append("\nTargets (NOLA against LoRA rank 1 on the same weights):\n\n");
        List<VitRecord> lora1 = runs.stream().filter(r -> r.variant().equals("lora1")).toList();
        for (Variant v : variants) {
            List<VitRecord> rs = of(runs, v);
            if (v.method() != Method.NOLA || rs.isEmpty() || lora1.isEmpty()) {
                continue;
            }
            VitResult r = rs.get(0).result();
            double gap = 100 * (accuracy(rs).mean() - accuracy(lora1).mean());
            // a quantisation-aware run's 4-bit file is set against the fp32 training of the same size and rate
            String fp32Id = v.quantizationBits() > 0 ? v.id().replace("q" + v.quantizationBits(), "") : v.id();
            List<VitRecord> fp32 = runs.stream().filter(x -> x.variant().equals(fp32Id)).toList();
            double ptq = fp32.isEmpty() ? Double.NaN : 100 * (Stats.of(rs.stream().mapToDouble(
                    x -> x.result().accuracy4()).toArray()).mean() - accuracy(fp32).mean());
            md.append(String.format(Locale.ROOT, "- %s: %,d values, %.2f of LoRA r1's %,d; %+.2f points against LoRA r1"
                    + " (target: %s); 4-bit file %+.2f points against fp32%s (target: within 0.3)%n", v.label(),
                    r.trainable(), (double) r.trainable() / r.loraRank1(), r.loraRank1(), gap,
                    4 * r.trainable() <= r.loraRank1() ? "within 1 point" : "at least 0", ptq,
                    fp32Id.equals(v.id()) ? "" : " training (" + fp32Id + ")"));
        }
        Path file = outDir.resolve(REPORT);
        try {
            Files.writeString(file, md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static List<VitRecord> of(List<VitRecord> runs, Variant v) {
        return runs.stream().filter(r -> r.variant().equals(v.id())).toList();
    }

    private static Stats accuracy(List<VitRecord> rs) {
        return Stats.of(rs.stream().mapToDouble(r -> r.result().accuracy()).toArray());
    }

    private static double worst(List<VitRecord> rs) {
        return rs.stream().mapToDouble(r -> r.result().accuracy()).min().orElse(Double.NaN);
    }
}
