package io.github.nola4j.samples;

import java.util.EnumSet;
import java.util.Set;

import static io.github.nola4j.samples.Command.BENCH;
import static io.github.nola4j.samples.Command.SOAK;
import static io.github.nola4j.samples.Command.SERVE;
import static io.github.nola4j.samples.Command.LOADTEST;
import static io.github.nola4j.samples.Command.MAKE_ADAPTERS;
import static io.github.nola4j.samples.Command.COMPARE;
import static io.github.nola4j.samples.Command.DEMO;
import static io.github.nola4j.samples.Command.FINETUNE;
import static io.github.nola4j.samples.Command.GPU_CHECK;
import static io.github.nola4j.samples.Command.PRETRAIN;
import static io.github.nola4j.samples.Command.QUANTIZE;
import static io.github.nola4j.samples.Command.VIT;
import static io.github.nola4j.samples.Command.ZOO;

/** Command-line options: name, value placeholder, help text and the commands that accept them. */
public enum Option {
    DATA("data", "DIR", "Fashion-MNIST IDX files (.gz or not) or train/ and test/ image folders with one "
            + "subfolder per class (default: /usr/share/datasets/fashion-mnist, else the subset in the jar)",
            DEMO, PRETRAIN, FINETUNE, COMPARE, QUANTIZE, ZOO, VIT),
    WORK("work", "DIR", "folder for the pretrained base (default: ./nola-work)", DEMO, PRETRAIN, FINETUNE,
            COMPARE, QUANTIZE, VIT),
    BASE("base", "FILE", "pretrained base to fine-tune (default: the one in --work, pretrained if missing); serve, "
            + "make-adapters: the saved base of --model (default: made from a fixed seed)", FINETUNE, COMPARE,
            QUANTIZE, SERVE, MAKE_ADAPTERS),
    MODEL("model", "NAME", "base of serve, loadtest, make-adapters: cnn (the samples CNN, 1x28x28) or resnet50 "
            + "(DL4J's zoo ResNet50, 3xSxS; random init with calibrated BatchNorm) (default: cnn)", SERVE, LOADTEST,
            MAKE_ADAPTERS),
    ADAPTERS("adapters", "DIR", "folder of adapter files (*.nola) to serve, or to write (make-adapters)", SERVE,
            MAKE_ADAPTERS),
    COUNT("count", "N", "adapters to make (make-adapters, default 100; loadtest, default 100)", LOADTEST,
            MAKE_ADAPTERS),
    HOST("host", "ADDR", "address to bind (default: 127.0.0.1; 0.0.0.0 for every interface)", SERVE),
    PORT("port", "N", "port to listen on (default: 8080; 0 for any free one)", SERVE),
    ENGINE("engine", "NAME", "mixed (batched across adapters) or bank (one AdapterBank behind a lock, the baseline) "
            + "(default: mixed)", SERVE),
    BATCH_WAIT_US("batch-wait-us", "N", "longest wait for requests to batch with, in microseconds (default: 2000)",
            SERVE, LOADTEST),
    BATCH_THREADS("batch-threads", "N", "threads running batches, one network replica each (default: the cores)",
            SERVE, LOADTEST),
    OP_THREADS("op-threads", "N", "threads one native op may use while the mixed engine serves (default: 1, the batch"
            + " threads being the parallelism; 0: ND4J's own setting)", SERVE, LOADTEST),
    CACHE_MB("cache-mb", "N", "budget of the adapter factor cache, in MB (default: 256)", SERVE, LOADTEST),
    MAX_BODY_KB("max-body-kb", "N", "largest request body, in KB (default: 16384)", SERVE, LOADTEST),
    CLIENTS("clients", "N", "concurrent clients (default: 16)", LOADTEST),
    REQUESTS("requests", "N", "measured requests per phase (default: 10000)", LOADTEST),
    SECONDS("seconds", "S", "longest measured time per phase, in seconds (default: 600)", LOADTEST),
    BASELINES("baselines", null, "also run the baselines: one AdapterBank behind a lock, and every request on one "
            + "adapter", LOADTEST),
    ADD_EVERY_MS("add-every-ms", "N", "add an adapter this often while the mixed phase runs, timed (default: off)",
            LOADTEST),
    SOURCE_CLASSES("source-classes", "LIST", "source task classes of the base (default: 0,1,2,3,4)",
            DEMO, PRETRAIN, FINETUNE, COMPARE, QUANTIZE, VIT),
    EPOCHS("epochs", "N", "pretraining epochs (default: 3; vit: 5)", PRETRAIN, VIT),
    ARCH("arch", io.github.nola4j.samples.cnn.BaseArchitecture.cliNames(), "base network: cnn, the small CNN, or "
            + "simplecnn, DL4J's zoo SimpleCNN with BatchNorm (default: cnn)", PRETRAIN, FINETUNE, COMPARE),
    METHOD("method", io.github.nola4j.samples.cnn.Method.cliNames(), "what trains below the new head (default: nola)",
            FINETUNE),
    METHODS("methods", "LIST", "methods to compare: head, full, nola<k> (k = l), nola<k>q<b> (trained b-bit-aware), lora<r>, "
            + "each optionally @lr, e.g. nola256@0.1 or nola28q4 (default: head,nola16,nola64,nola172,nola256,nola345,lora1,lora2,lora4,full); "
            + "vit: default head,nola28,nola112,lora1,lora4,full", COMPARE, VIT),
    CLASSES("classes", "LIST", "target task classes, comma-separated (default: 5,6,7,8,9)", DEMO, FINETUNE,
            COMPARE, QUANTIZE, ZOO, VIT),
    SHOTS("shots", "N", "training images per target class (default: 100; compare: a list, default 5,10,100)",
            DEMO, FINETUNE, COMPARE, QUANTIZE, ZOO, VIT),
    BASES("bases", "N", "NOLA bases k = l per layer (default: 64; quantize: a list, default 64,256)", DEMO,
            FINETUNE, QUANTIZE, ZOO),
    RANK("rank", "N", "rank r of NOLA and LoRA, 1 or more; the scale is 1/r (default: 4)", DEMO, FINETUNE,
            COMPARE, QUANTIZE, ZOO, VIT),
    SCALE("scale", "S", "scale s of the update s·A·B (default: 1/r)", DEMO, FINETUNE),
    QAT_BITS("qat-bits", "B", "NOLA quantisation-aware training of α and β at B bits, 2 to 8 (default: off; "
            + "quantize: a list, default 4,3, 0 for none)", FINETUNE, QUANTIZE),
    STEPS("steps", "N", "fine-tuning Adam steps of 50 images (default: 200; zoo: steps of 8 images, at least 4, "
            + "default 30; bench: timed steps per case, at least 20, default 30)", DEMO, FINETUNE, COMPARE, QUANTIZE,
            ZOO, BENCH, VIT),
    WARMUP_STEPS("warmup-steps", "N", "linear warm-up steps before the cosine learning-rate schedule (default: 0, "
            + "the NOLA ViT recipe's)", VIT),
    SCENARIO("scenario", "NAME", "bench scenario: " + String.join(", ",
            io.github.nola4j.samples.bench.BenchMain.SCENARIOS) + " or all; soak scenario: " + String.join(", ",
            io.github.nola4j.samples.soak.SoakMain.SCENARIOS) + " or all (default: all)", BENCH, SOAK),
    WARMUP("warmup", "N", "untimed warm-up steps per case (bench, default 10), cycles (soak, default 200) or "
            + "requests per phase (loadtest, default: a fifth of --requests, at least 20), 1 or more", BENCH, SOAK,
            LOADTEST),
    CYCLES("cycles", "N", "measured soak cycles, 1 or more (default: 1000)", SOAK),
    LIMIT_MB("limit-mb", "N", "allowed growth of resident memory after warm-up, in MB (default: 100)", SOAK),
    PROFILE("profile", null, "resnet50 scenario: also where each step spends its time (convolution forward and "
            + "backward, BatchNorm, activations, updater, the rest)", BENCH),
    NO_BENCH("no-bench", null, "run the checks only, not the bench scenarios after them", GPU_CHECK),
    LR("lr", "RATE", "learning rate below the head (default: nola 1e-2, 3e-2 from 128 bases; lora rank 1 3e-3, "
            + "else 1e-2; full 3e-3; zoo 1e-2)", DEMO, FINETUNE, ZOO),
    HEAD_LR("head-lr", "RATE", "learning rate of the new head (default: 1e-2)", DEMO, FINETUNE),
    SEED("seed", "N", "seed of the shots, head, shuffling and NOLA bases; of the base for pretrain (default: 1)",
            DEMO, PRETRAIN, FINETUNE, ZOO),
    SIZE("size", "S", "input height and width of ResNet50, 96 or more; the 28x28 images are upscaled to it "
            + "(default: 96; 224 with --pretrained, the only size its head fits)", ZOO, SERVE, LOADTEST, MAKE_ADAPTERS),
    PRETRAINED("pretrained", null, "start from DL4J's ImageNet ResNet50 weights (downloaded on first use) instead of "
            + "a random init", ZOO),
    WORKERS("workers", "N", "data-parallel fine-tuning with DL4J ParallelWrapper on N workers, averaging after "
            + "every step; use a power of two (default: 1)", DEMO, FINETUNE),
    SEEDS("seeds", "LIST", "fine-tuning seeds, comma-separated (default: 1,2,3)", COMPARE, QUANTIZE, VIT),
    SAVE("save", "FILE", "write the NOLA adapter (coefficients and the head) to FILE and check it reloads",
            FINETUNE),
    BITS("bits", "B", "bits per coefficient in --save: 32, 8, 4, 3 or 2 (default: 32)", FINETUNE),
    EXPORT("export", "FILE", "write the merged plain DL4J network (ModelSerializer zip) to FILE", FINETUNE),
    OUT("out", "DIR", "folder for the report, plots and the CSV of runs, which later runs resume from "
            + "(default: ./nola-report)", COMPARE, QUANTIZE, VIT),
    REPORT_ONLY("report-only", null, "write the report from the runs already in --out, training nothing", COMPARE),
    QUIET("quiet", null, "no progress bars on stderr", DEMO, PRETRAIN, FINETUNE, COMPARE, QUANTIZE, ZOO, VIT),
    HELP("help", null, "print this command's options and exit", DEMO, PRETRAIN, FINETUNE, COMPARE, QUANTIZE, ZOO,
            BENCH, GPU_CHECK, SERVE, LOADTEST, MAKE_ADAPTERS, VIT);

    private final String name;
    private final String value;
    private final String help;
    private final Set<Command> commands;

    Option(String name, String value, String help, Command first, Command... rest) {
        this.name = name;
        this.value = value;
        this.help = help;
        this.commands = EnumSet.of(first, rest);
    }

    /** @return the option as typed, e.g. "--data" */
    public String flag() {
        return "--" + name;
    }

    /** @return the value placeholder, or null for a switch */
    public String value() {
        return value;
    }

    public String help() {
        return help;
    }

    public boolean appliesTo(Command command) {
        return commands.contains(command);
    }
}
