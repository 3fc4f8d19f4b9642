package io.github.nola4j.samples.cnn;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The networks the samples pretrain on the source classes and then transfer. */
public enum BaseArchitecture {

    /** The reference experiment's small CNN ({@link BaseCnn}): no BatchNorm. */
    CNN("cnn", "base", "base CNN") {
        @Override
        public MultiLayerNetwork create(int numClasses, long seed) {
            return BaseCnn.create(numClasses, seed);
        }
    },

    /** DL4J's zoo SimpleCNN ({@link ZooSimpleCnn}): BatchNorm after every convolution. */
    SIMPLECNN("simplecnn", "simplecnn", "DL4J zoo SimpleCNN") {
        @Override
        public MultiLayerNetwork create(int numClasses, long seed) {
            return ZooSimpleCnn.create(numClasses, seed);
        }
    };

    private final String cliName;
    private final String filePrefix;
    private final String description;

    BaseArchitecture(String cliName, String filePrefix, String description) {
        this.cliName = cliName;
        this.filePrefix = filePrefix;
        this.description = description;
    }

    /** @return a freshly initialised network with {@code numClasses} outputs */
    public abstract MultiLayerNetwork create(int numClasses, long seed);

    public String cliName() {
        return cliName;
    }

    /** @return the start of the names of pretrained files of this architecture */
    public String filePrefix() {
        return filePrefix;
    }

    public String description() {
        return description;
    }

    /** @return the architecture named {@code name} on the command line */
    public static BaseArchitecture fromCliName(String name) {
        for (BaseArchitecture a : values()) {
            if (a.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture \"" + name + "\"; use one of " + cliNames());
    }

    /** @return the CLI names, e.g. "cnn|simplecnn" */
    public static String cliNames() {
        return Arrays.stream(values()).map(BaseArchitecture::cliName).collect(Collectors.joining("|"));
    }
}
