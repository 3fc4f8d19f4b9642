package io.github.nola4j.samples.report;

import io.github.nola4j.layers.quantization.CoefficientQuantization;
import io.github.nola4j.zoo.AdapterSpec;
import io.github.nola4j.samples.UsageException;
import io.github.nola4j.samples.cnn.Method;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One method of a comparison, as named in {@code --methods}: {@code head}, {@code full},
 * {@code nola<k>} (k = l bases, rank from {@code --rank}), {@code nola<k>q<b>} (the same, α and β
 * trained b-bit-aware), {@code lora<r>}, each optionally followed by {@code @lr}.
 *
 * @param id               normalised name, e.g. "nola64", "nola256@0.1" or "nola28q4@0.03"
 * @param method           the method
 * @param rank             r (NOLA and LoRA)
 * @param numBases         k = l (NOLA)
 * @param learningRate     Adam learning rate
 * @param quantizationBits bits of NOLA's quantisation-aware training, 0 for none
 */
public record Variant(String id, Method method, int rank, int numBases, double learningRate, int quantizationBits) {

    /** The default of {@code --methods}. */
    public static final String DEFAULT_LIST = "head,nola16,nola64,nola172,nola256,nola345,lora1,lora2,lora4,full";

    private static final Pattern SYNTAX = Pattern.compile("(head|full|nola|lora)(\\d*)(?:q(\\d+))?(?:@(.+))?");

    /** A variant without quantisation-aware training. */
    public Variant(String id, Method method, int rank, int numBases, double learningRate) {
        this(id, method, rank, numBases, learningRate, 0);
    }

    /** @return the variants of a comma-separated list; NOLA at rank {@code nolaRank} */
    public static List<Variant> parseList(String list, int nolaRank) {
        Set<Variant> variants = new LinkedHashSet<>();
        for (String token : list.split(",", -1)) {
            if (!variants.add(parse(token.trim(), nolaRank))) {
                throw new UsageException("--methods " + list + ": " + token.trim() + " is repeated");
            }
        }
        return new ArrayList<>(variants);
    }

    /** @throws UsageException for an unknown name, a missing or zero size or a bad learning rate */
    public static Variant parse(String token, int nolaRank) {
        Matcher m = SYNTAX.matcher(token.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("unknown method \"" + token + "\" in --methods; use head, full, nola<k> or "
                    + "lora<r>, optionally with @lr, e.g. --methods head,nola64,lora1@3e-3 (nola<k>q<b>: "
                    + "quantisation-aware at b bits, e.g. nola64q4)");
        }
        Method method = Method.fromCliName(m.group(1));
        int size;
        try {
            size = m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            size = -1;
        }
        boolean sized = method.isLowRank();
        if (sized ? size < 1 : !m.group(2).isEmpty()) {
            throw new UsageException("--methods: \"" + token + "\" " + (sized ? "needs a size of at least 1, e.g. "
                    + m.group(1) + (method == Method.NOLA ? "64" : "1") : "takes no size; write " + m.group(1)));
        }
        int bits = quantizationBits(token, m.group(3), method);
        int rank = method == Method.LORA ? size : nolaRank;
        int bases = method == Method.NOLA ? size : Method.DEFAULT_BASES;
        AdapterSpec settings = method.spec(rank, bases, 0);
        double lr = method.defaultLearningRate(settings);
        String id = m.group(1) + m.group(2) + (bits > 0 ? "q" + bits : "");
        if (m.group(4) != null) {
            try {
                lr = Double.parseDouble(m.group(4));
            } catch (NumberFormatException e) {
                lr = Double.NaN;
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new UsageException("--methods: \"" + token + "\": the learning rate after @ must be a positive "
                        + "number, e.g. " + id + "@0.01");
            }
            id += "@" + m.group(4);
        }
        return new Variant(id, method, rank, bases, lr, bits);
    }

    private static int quantizationBits(String token, String bits, Method method) {
        if (bits == null) {
            return 0;
        }
        int b;
        try {
            b = Integer.parseInt(bits);
        } catch (NumberFormatException e) {
            b = -1;
        }
        if (method != Method.NOLA || !CoefficientQuantization.isSupported(b)) {
            throw new UsageException("--methods: \"" + token + "\": q<b> (quantisation-aware training) applies to nola"
                    + " only, with b from " + CoefficientQuantization.MIN_BITS + " to " + CoefficientQuantization.MAX_BITS
                    + ", e.g. nola64q4");
        }
        return b;
    }

    /** @return the adapter options of this variant in a run seeded {@code runSeed} ({@link Method#spec}) */
    public AdapterSpec spec(long runSeed) {
        AdapterSpec spec = method.spec(rank, numBases, runSeed);
        return quantizationBits > 0 ? spec.withQuantizationBits(quantizationBits) : spec;
    }

    /** @return e.g. "NOLA k=l=64", "LoRA r=1", "head only", "full", with " lr 0.1" for an explicit rate */
    public String label() {
        String name = switch (method) {
            case NOLA -> "NOLA k=l=" + numBases + (rank != Method.DEFAULT_RANK ? " r=" + rank : "")
                    + (quantizationBits > 0 ? " QAT " + quantizationBits + "-bit" : "");
            case LORA -> "LoRA r=" + rank;
            case HEAD -> "head only";
            case FULL -> "full";
        };
        return id.contains("@") ? name + " lr " + id.substring(id.indexOf('@') + 1) : name;
    }
}
