package io.github.nola4j.samples.vit;

import java.util.Locale;

/**
 * One finished ViT run as a line of the {@code vit} command's runs.csv, from which later runs resume.
 *
 * @param variant  the method id, e.g. "nola28" or "lora1@0.003"
 * @param split    source and target classes, e.g. "01234-56789"
 * @param result   what the run measured
 */
public record VitRecord(String variant, String split, int shots, long seed, int steps, int warmup, double lr,
                        VitResult result) {

    public static final String HEADER = "variant,split,shots,seed,steps,warmup,lr,accuracy,trainable,lora_rank1,"
            + "file_bytes_fp32,file_bytes_4bit,accuracy_4bit,round_trip_diff,train_seconds";

    /** @return whether this is the run of these settings */
    public boolean isRun(String id, String splitKey, int shotsSetting, long seedSetting, int stepsSetting,
                         int warmupSetting, double rate) {
        return variant.equals(id) && split.equals(splitKey) && shots == shotsSetting && seed == seedSetting
                && steps == stepsSetting && warmup == warmupSetting && lr == rate;
    }

    public String toCsv() {
        VitResult r = result;
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%s,%.6f,%d,%d,%d,%d,%.6f,%s,%.2f", variant, split, shots,
                seed, steps, warmup, lr, r.accuracy(), r.trainable(), r.loraRank1(), r.fileBytes32(), r.fileBytes4(),
                r.accuracy4(), r.roundTripDiff(), r.trainSeconds());
    }

    /** @throws IllegalArgumentException for a line of another layout */
    public static VitRecord fromCsv(String line) {
        String[] f = line.split(",", -1);
        if (f.length != HEADER.split(",").length) {
            throw new IllegalArgumentException("run line \"" + line + "\" does not have the columns " + HEADER);
        }
        return new VitRecord(f[0], f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Integer.parseInt(f[4]),
                Integer.parseInt(f[5]), Double.parseDouble(f[6]), new VitResult(Double.parseDouble(f[7]),
                Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11]),
                Double.parseDouble(f[12]), Double.parseDouble(f[13]), Double.parseDouble(f[14])));
    }
}
