package io.github.nola4j.samples.cnn;

import io.github.nola4j.layers.LoraLayer;
import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.zoo.AdapterKind;
import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.zoo.NolaTransfer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How fine-tuning treats the adapted layers of the base (the head is always new and trainable).
 * Every method is a {@link NolaTransfer} of the base ({@link CnnTransfer}).
 *
 * <p>To add a method: add a constant with its CLI name, its reference learning rate and a
 * {@link #configure} that tells the transfer what to do with the adapted layers
 * ({@link CnnTransfer#adaptedLayers}).
 */
public enum Method {

    /** NOLA on every adapted layer: only k + l mixture coefficients per layer train. */
    NOLA("nola", "NOLA adapters (k + l coefficients per layer)") {
        /**
         * Tuned over seeds 1-3 at 100 images per class (README): 1e-2 up to 86 bases (k = 16: 90.75
         * against 90.05 at 3e-2; k = 64: 91.59 against 90.98; k = 86: 91.99 against 91.53), 3e-2
         * from 172 (k = 256: 93.01 against 92.34; k = 345: 92.89 against 91.97; k = 172: 92.57
         * against 92.55). The boundary, {@link #NOLA_HIGH_RATE_FROM_BASES}, lies between the measured
         * 86 and 172. The reference's rates were the other way round (3e-2 up to 64 bases, 1e-2
         * from 256).
         */
        @Override
        public double defaultLearningRate(AdapterSpec s) {
            return s.numBasesA() >= NOLA_HIGH_RATE_FROM_BASES ? 3e-2 : 1e-2;
        }

        @Override
        NolaTransfer<MultiLayerNetwork> configure(NolaTransfer<MultiLayerNetwork> transfer, AdapterSpec spec,
                                                  List<String> adapted) {
            return transfer.targetNames(adapted.toArray(String[]::new)).adapter(spec);
        }
    },

    /** LoRA on every adapted layer: A [fanIn, r] and B [r, nOut] train, r·(fanIn + nOut) values per layer. */
    LORA("lora", "LoRA adapters (r·(fanIn + nOut) values per layer)") {
        /** The reference: rank 1 at 3e-3, rank 4 at 1e-2; rank 2 measured best at 1e-2 too (README). */
        @Override
        public double defaultLearningRate(AdapterSpec s) {
            return s.rank() <= 1 ? 3e-3 : 1e-2;
        }

        @Override
        NolaTransfer<MultiLayerNetwork> configure(NolaTransfer<MultiLayerNetwork> transfer, AdapterSpec spec,
                                                  List<String> adapted) {
            return transfer.targetNames(adapted.toArray(String[]::new))
                    .adapter(spec.withKind(AdapterKind.LORA));
        }
    },

    /** Base frozen, only the head trains (at the head's learning rate). */
    HEAD("head", "frozen base, new head only") {
        @Override
        public double defaultLearningRate(AdapterSpec s) {
            return HEAD_LEARNING_RATE;
        }

        @Override
        NolaTransfer<MultiLayerNetwork> configure(NolaTransfer<MultiLayerNetwork> transfer, AdapterSpec spec,
                                                  List<String> adapted) {
            return transfer; // everything but the new head is frozen
        }
    },

    /** Every parameter trains. */
    FULL("full", "full fine-tuning") {
        @Override
        public double defaultLearningRate(AdapterSpec s) {
            return 3e-3;
        }

        @Override
        NolaTransfer<MultiLayerNetwork> configure(NolaTransfer<MultiLayerNetwork> transfer, AdapterSpec spec,
                                                  List<String> adapted) {
            return transfer.trainable(adapted.toArray(String[]::new));
        }
    };

    /** NOLA's default learning rate is 3e-2 from this many bases per factor, 1e-2 below. */
    public static final int NOLA_HIGH_RATE_FROM_BASES = 128;
    /** Learning rate of the new head, the reference's. */
    public static final double HEAD_LEARNING_RATE = 1e-2;
    /** Reference rank. */
    public static final int DEFAULT_RANK = 4;
    /** Reference k = l. */
    public static final int DEFAULT_BASES = 64;

    private final String cliName;
    private final String description;

    Method(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    /** @return the learning rate of the reference experiment for this method */
    public abstract double defaultLearningRate(AdapterSpec spec);

    /** @return {@code transfer} told how to treat the layers named in {@code adapted} */
    abstract NolaTransfer<MultiLayerNetwork> configure(NolaTransfer<MultiLayerNetwork> transfer, AdapterSpec spec,
                                                       List<String> adapted);

    /** @return whether the method trains low-rank adapters, which take --rank and --scale */
    public boolean isLowRank() {
        return this == NOLA || this == LORA;
    }

    /**
     * @return the adapter options of a run with seed {@code runSeed}: rank r, k = l = numBases,
     * s = 1/r, no quantisation-aware training; NOLA bases from {@link NolaLayer#DEFAULT_BASIS_SEED}
     * + runSeed, LoRA's A from {@link LoraLayer#DEFAULT_INIT_SEED} + runSeed
     */
    public AdapterSpec spec(int rank, int numBases, long runSeed) {
        AdapterKind kind = this == LORA ? AdapterKind.LORA : AdapterKind.NOLA;
        long seed = (this == LORA ? LoraLayer.DEFAULT_INIT_SEED : NolaLayer.DEFAULT_BASIS_SEED) + runSeed;
        return new AdapterSpec(kind, rank, numBases, numBases, seed, 1.0 / rank, 0);
    }

    /** @return "1/r" when s = 1/r, else the value of s */
    public static String scaleText(AdapterSpec spec) {
        return Math.abs(spec.scale() * spec.rank() - 1) < 1e-12 ? "1/" + spec.rank() : Double.toString(spec.scale());
    }

    public String cliName() {
        return cliName;
    }

    public String description() {
        return description;
    }

    /** @return the method named {@code name} on the command line */
    public static Method fromCliName(String name) {
        for (Method m : values()) {
            if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method \"" + name + "\"; use one of " + cliNames());
    }

    /** @return the CLI names, e.g. "nola|lora|head|full" */
    public static String cliNames() {
        return Arrays.stream(values()).map(Method::cliName).collect(Collectors.joining("|"));
    }
}
