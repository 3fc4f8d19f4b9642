package io.github.nola4j.zoo.graph;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Chooses the weights of a graph to adapt: exact variable names, regular expressions matched against
 * the whole name (as PEFT's {@code re.fullmatch}) and the ops that consume them ({@link WeightOp}),
 * minus excludes. A weight chosen by name or pattern that cannot be adapted is an error naming it and
 * the reason; one chosen only by its op is skipped, logged and reported in {@link Selection#skipped()}.
 */
final class GraphTargets {

    private static final Logger log = LoggerFactory.getLogger(GraphTargets.class);

    private final Set<String> names = new LinkedHashSet<>();
    private final List<Pattern> patterns = new ArrayList<>();
    private final Set<WeightOp> ops = EnumSet.noneOf(WeightOp.class);
    private final Set<String> excludedNames = new LinkedHashSet<>();
    private final List<Pattern> excludedPatterns = new ArrayList<>();

    /** The weights to adapt in graph order, and the weights skipped with their reasons. */
    record Selection(List<GraphWeight> adapted, Map<String, String> skipped) {
    }

    /** @return true when no target and no exclude was given */
    boolean isEmpty() {
        return names.isEmpty() && patterns.isEmpty() && ops.isEmpty() && excludedNames.isEmpty()
                && excludedPatterns.isEmpty();
    }

    void names(String... weightNames) {
        names.addAll(List.of(weightNames));
    }

    void matching(String regex) {
        patterns.add(compile(regex, "target"));
    }

    void ops(WeightOp... weightOps) {
        ops.addAll(List.of(weightOps));
    }

    void exclude(String... weightNames) {
        excludedNames.addAll(List.of(weightNames));
    }

    void excludeMatching(String regex) {
        excludedPatterns.add(compile(regex, "exclude"));
    }

    /**
     * @param weights every weight of the graph ({@link GraphWeights#scan})
     * @throws IllegalArgumentException when no target is given, for an unknown name, for a weight chosen by
     *                                  name that cannot be adapted, and when nothing is selected; the message
     *                                  lists the graph's weights with their shapes and consuming ops
     */
    Selection select(List<GraphWeight> weights) {
        if (names.isEmpty() && patterns.isEmpty() && ops.isEmpty()) {
            throw new IllegalArgumentException("No targets: nothing says which weights to adapt; call targetNames, "
                    + "targetMatching or targetOps(WeightOp.MATMUL, WeightOp.CONV2D). The graph's weights:"
                    + listing(weights));
        }
        Set<String> known = weights.stream().map(GraphWeight::name).collect(Collectors.toSet());
        for (String n : concat(names, excludedNames)) {
            if (!known.contains(n)) {
                throw new IllegalArgumentException("No weight variable named \"" + n + "\" in the graph (a weight is a "
                        + "VARIABLE or CONSTANT with more than one value that an op reads); use one of:"
                        + listing(weights));
            }
        }
        List<GraphWeight> adapted = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (GraphWeight w : weights) {
            boolean byName = names.contains(w.name()) || anyMatch(patterns, w.name());
            boolean byOp = w.op() != null && ops.contains(w.op());
            if ((!byName && !byOp) || excludedNames.contains(w.name()) || anyMatch(excludedPatterns, w.name())) {
                continue;
            }
            if (w.adaptable()) {
                adapted.add(w);
            } else if (byName) {
                throw new IllegalArgumentException("Weight " + w.describe() + " cannot be adapted: " + w.reason()
                        + "; drop it from the targets or exclude it");
            } else {
                log.info("Skipping weight {}: {}", w.describe(), w.reason());
                skipped.put(w.name(), w.reason());
            }
        }
        if (adapted.isEmpty()) {
            throw new IllegalArgumentException("No weight matched the targets (names " + names + ", patterns "
                    + patterns + ", ops " + ops + ", excluding " + excludedNames + " and " + excludedPatterns + ")"
                    + (skipped.isEmpty() ? "" : "; skipped as not adaptable: " + skipped)
                    + ". The graph's weights (name [shape] type <- consuming ops):" + listing(weights));
        }
        return new Selection(List.copyOf(adapted), skipped);
    }

    /** @return one line per weight: name, shape, type and consuming ops */
    static String listing(List<GraphWeight> weights) {
        if (weights.isEmpty()) {
            return " none (the graph has no VARIABLE or CONSTANT with more than one value that an op reads)";
        }
        return weights.stream().map(w -> "\n  " + w.describe()).collect(Collectors.joining());
    }

    private static Pattern compile(String regex, String role) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("Invalid " + role + " pattern \"" + regex + "\": "
                    + (e.getMessage() == null ? "null" : e.getMessage().split("\n")[0])
                    + "; give a java.util.regex pattern matched against whole variable names, e.g. \"layer.*/kernel\"");
        }
    }

    private static boolean anyMatch(List<Pattern> list, String name) {
        return list.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
