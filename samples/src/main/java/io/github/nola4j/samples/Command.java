package io.github.nola4j.samples;

import java.util.Locale;

/** The subcommands of the samples program. */
public enum Command {
    DEMO("demo", "pretrain the base CNN (or reuse it from --work), fine-tune it with NOLA, print a summary"),
    PRETRAIN("pretrain", "train the base CNN on the source classes and save it in --work"),
    FINETUNE("finetune", "fine-tune the base on the target classes with --method and evaluate it"),
    COMPARE("compare", "fine-tune with every method in --methods, --shots and --seeds; write report.md and "
            + "plots to --out"),
    QUANTIZE("quantize", "NOLA accuracy with fp32, 8/4/3-bit saved coefficients and 4/3-bit quantisation-aware "
            + "training; write quantization.md to --out"),
    VIT("vit", "pretrain a small ViT in SameDiff (or reuse it from --work), transfer it with every method in --methods"
            + " and --seeds (NOLA and LoRA on q, v and the MLP); write vit-report.md to --out"),
    ZOO("zoo", "fine-tune DL4J's zoo ResNet50 with NOLA on every convolution on upscaled images; print time per "
            + "step and memory"),
    BENCH("bench", "training and inference timings of NOLA against full and frozen layers, one line per case"),
    SOAK("soak", "resident memory over long runs: adapter merge/unmerge/activate cycles on zoo ResNet50 and NOLA "
            + "training steps of the conv bench scenario, each with a PASS/FAIL verdict"),
    SPARK("spark", "NOLA fine-tuning on Spark local mode or a cluster (needs nola-samples-spark.jar, built with "
            + "-Pspark): accuracy, time and bytes per round of coefficient and parameter averaging"),
    SERVE("serve", "serve a directory of adapter files on one base over HTTP (127.0.0.1 by default): POST "
            + "/v1/predict, GET /v1/adapters, GET /health; requests batched across adapters"),
    LOADTEST("loadtest", "make --count adapters, start the server on loopback and load it with --clients concurrent "
            + "clients, checking every answer; requests/s, latency, errors, wrong answers, memory; --baselines too"),
    MAKE_ADAPTERS("make-adapters", "write --count random stand-in adapters (4-bit, random β and head per seed) of "
            + "--model into --adapters, for serve and loadtest"),
    GPU_CHECK("gpu-check", "parity, gradient and frozen-weight checks on this ND4J backend (CUDA with -Pcuda), then "
            + "the bench scenarios");

    private final String name;
    private final String help;

    Command(String name, String help) {
        this.name = name;
        this.help = help;
    }

    public String cliName() {
        return name;
    }

    public String help() {
        return help;
    }

    /** @throws UsageException for an unknown name */
    public static Command fromCliName(String name) {
        for (Command c : values()) {
            if (c.name.equals(name.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new UsageException("unknown command \"" + name + "\"; use one of " + names()
                + " (--help lists the options)");
    }

    /** @return every command's name, e.g. "demo, pretrain, ..., gpu-check" */
    public static String names() {
        return java.util.Arrays.stream(values()).map(Command::cliName)
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
