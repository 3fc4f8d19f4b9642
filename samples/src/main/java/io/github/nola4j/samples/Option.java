package io.github.nola4j.samples;

import java.util.EnumSet;
import java.util.Set;

import static io.github.nola4j.samples.Command.DEMO;
import static io.github.nola4j.samples.Command.FINETUNE;
import static io.github.nola4j.samples.Command.PRETRAIN;

/** Command-line options: name, value placeholder, help text and the commands that accept them. */
public enum Option {
    DATA("data", "DIR", "Fashion-MNIST IDX files (.gz or not) or train/ and test/ image folders with one "
            + "subfolder per class (default: /usr/share/datasets/fashion-mnist, else the subset in the jar)",
            DEMO, PRETRAIN, FINETUNE),
    WORK("work", "DIR", "folder for the pretrained base (default: ./nola-work)", DEMO, PRETRAIN, FINETUNE),
    BASE("base", "FILE", "pretrained base to fine-tune (default: the one in --work, pretrained if missing)",
            FINETUNE),
    SOURCE_CLASSES("source-classes", "LIST", "source task classes of the base (default: 0,1,2,3,4)",
            DEMO, PRETRAIN, FINETUNE),
    EPOCHS("epochs", "N", "pretraining epochs (default: 3)", PRETRAIN),
    METHOD("method", io.github.nola4j.samples.cnn.Method.cliNames(), "what trains below the new head (default: nola)", FINETUNE),
    CLASSES("classes", "LIST", "target task classes, comma-separated (default: 5,6,7,8,9)", DEMO, FINETUNE),
    SHOTS("shots", "N", "training images per target class (default: 100)", DEMO, FINETUNE),
    BASES("bases", "N", "NOLA bases k = l per layer (default: 64)", DEMO, FINETUNE),
    RANK("rank", "N", "NOLA rank r; the scale is 1/r (default: 4)", DEMO, FINETUNE),
    STEPS("steps", "N", "fine-tuning Adam steps of 50 images (default: 200)", DEMO, FINETUNE),
    LR("lr", "RATE", "learning rate (default: nola 3e-2, 1e-2 from 256 bases; head and full 3e-3)",
            DEMO, FINETUNE),
    SEED("seed", "N", "seed of the shots, head, shuffling and NOLA bases; of the base for pretrain (default: 1)",
            DEMO, PRETRAIN, FINETUNE),
    QUIET("quiet", null, "no progress bars on stderr", DEMO, PRETRAIN, FINETUNE);

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
