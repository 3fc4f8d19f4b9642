package io.github.nola4j.samples.report;

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
 * {@code nola<k>} (k = l bases, rank from {@code --rank}), {@code lora<r>}, each optionally
 * followed by {@code @lr}.
 *
 * @param id           normalised name, e.g. "nola64" or "nola256@0.1"
 * @param method       the method
 * @param rank         r (NOLA and LoRA)
 * @param numBases     k = l (NOLA)
 * @param learningRate Adam learning rate
 */
public record Variant(String id, Method method, int rank, int numBases, double learningRate) {

    /** The default of {@code --methods}. */
    public static final String DEFAULT_LIST = "head,nola16,nola64,nola172,nola256,nola345,lora1,lora2,lora4,full";

    private static final Pattern SYNTAX = Pattern.compile("(head|full|nola|lora)(\\d*)(?:@(.+))?");

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
                    + "lora<r>, optionally with @lr, e.g. --methods head,nola64,lora1@3e-3");
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
        int rank = method == Method.LORA ? size : nolaRank;
        int bases = method == Method.NOLA ? size : Method.DEFAULT_BASES;
        AdapterSpec settings = method.spec(rank, bases, 0);
        double lr = method.defaultLearningRate(settings);
        String id = m.group(1) + m.group(2);
        if (m.group(3) != null) {
            try {
                lr = Double.parseDouble(m.group(3));
            } catch (NumberFormatException e) {
                lr = Double.NaN;
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new UsageException("--methods: \"" + token + "\": the learning rate after @ must be a positive "
                        + "number, e.g. " + id + "@0.01");
            }
            id += "@" + m.group(3);
        }
        return new Variant(id, method, rank, bases, lr);
    }

    /** @return e.g. "NOLA k=l=64", "LoRA r=1", "head only", "full", with " lr 0.1" for an explicit rate */
    public String label() {
        String name = switch (method) {
            case NOLA -> "NOLA k=l=" + numBases + (rank != Method.DEFAULT_RANK ? " r=" + rank : "");
            case LORA -> "LoRA r=" + rank;
            case HEAD -> "head only";
            case FULL -> "full";
        };
        return id.contains("@") ? name + " lr " + id.substring(id.indexOf('@') + 1) : name;
    }
}
