package io.github.nola4j.zoo;

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
 * Chooses the layers to adapt: exact names, regular expressions (matched against the whole
 * name, as PEFT's {@code re.fullmatch}) and layer kinds, minus excludes.
 *
 * <p>A layer chosen by name (or by a pattern) that cannot be adapted is an error; a layer chosen
 * only by kind that cannot be adapted (e.g. a DepthwiseConvolution2D under CONVOLUTION) is
 * skipped, with the reason logged and reported in {@link Selection#skipped()}.
 */
public final class TargetSelector {

    private static final Logger log = LoggerFactory.getLogger(TargetSelector.class);

    private final Set<String> names = new LinkedHashSet<>();
    private final List<Pattern> patterns = new ArrayList<>();
    private final Set<LayerKind> kinds = EnumSet.noneOf(LayerKind.class);
    private final Set<String> excludedNames = new LinkedHashSet<>();
    private final List<Pattern> excludedPatterns = new ArrayList<>();
    private String frozenUpTo;

    /** The outcome: layers to adapt in network order, and layers skipped with their reasons. */
    public record Selection(List<LayerRef> adapted, Map<String, String> skipped) {
    }

    public TargetSelector names(String... layerNames) {
        names.addAll(List.of(layerNames));
        return this;
    }

    public TargetSelector matching(String regex) {
        patterns.add(compile(regex, "target"));
        return this;
    }

    public TargetSelector kinds(LayerKind... layerKinds) {
        kinds.addAll(List.of(layerKinds));
        return this;
    }

    public TargetSelector exclude(String... layerNames) {
        excludedNames.addAll(List.of(layerNames));
        return this;
    }

    public TargetSelector excludeMatching(String regex) {
        excludedPatterns.add(compile(regex, "exclude"));
        return this;
    }

    /**
     * Adapts only layers after {@code layerName} in DL4J's forward order (a graph's topological
     * order), so that it and everything before it stay frozen, as DL4J's
     * {@code TransferLearning.Builder.setFeatureExtractor(layerName)} freezes them. With no other
     * target, every adaptable convolution, dense and attention layer after it is adapted.
     */
    public TargetSelector frozenUpTo(String layerName) {
        this.frozenUpTo = java.util.Objects.requireNonNull(layerName, "layerName");
        return this;
    }

    /** @return an independent copy of this selector */
    TargetSelector copy() {
        TargetSelector c = new TargetSelector();
        c.names.addAll(names);
        c.patterns.addAll(patterns);
        c.kinds.addAll(kinds);
        c.excludedNames.addAll(excludedNames);
        c.excludedPatterns.addAll(excludedPatterns);
        c.frozenUpTo = frozenUpTo;
        return c;
    }

    /**
     * @return true when the only target is {@link #frozenUpTo}: then nothing adaptable above it is a
     *         head-only transfer (DL4J's {@code setFeatureExtractor} just below the head), not an error
     */
    boolean onlyFrozenUpTo() {
        return frozenUpTo != null && names.isEmpty() && patterns.isEmpty() && kinds.isEmpty();
    }

    /** @return true when no target was given */
    public boolean isEmpty() {
        return names.isEmpty() && patterns.isEmpty() && kinds.isEmpty() && frozenUpTo == null;
    }

    static Pattern compile(String regex, String role) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("Invalid " + role + " pattern \"" + regex + "\": "
                    + (e.getMessage() == null ? "null" : e.getMessage().split("\n")[0])
                    + "; give a java.util.regex pattern matched against whole layer names, e.g. \"res4.*_branch2b\"");
        }
    }

    /**
     * @param layers       every layer of the network, in order
     * @param forwardOrder the names of the layers in DL4J's forward order (for {@link #frozenUpTo})
     * @throws IllegalArgumentException for an unknown name, a named layer that cannot be adapted or
     *                                  is not above {@link #frozenUpTo}, or when nothing is selected
     *                                  (unless {@link #onlyFrozenUpTo}); the message lists the layers
     */
    public Selection select(List<LayerRef> layers, List<String> forwardOrder) {
        Set<String> known = layers.stream().map(LayerRef::name).collect(Collectors.toSet());
        Set<String> above = frozenUpTo == null ? known : Set.copyOf(forwardOrder.subList(
                forwardOrder.indexOf(frozenUpTo) + 1, forwardOrder.size()));
        Set<LayerKind> kinds = frozenUpTo != null && names.isEmpty() && patterns.isEmpty() && this.kinds.isEmpty()
                ? EnumSet.allOf(LayerKind.class) : this.kinds;
        List<String> mentioned = new ArrayList<>(concat(names, excludedNames));
        if (frozenUpTo != null) {
            mentioned.add(frozenUpTo);
        }
        for (String n : mentioned) {
            if (!known.contains(n)) {
                throw new IllegalArgumentException("No layer named \"" + n + "\" in the network; use one of: "
                        + listing(layers));
            }
        }
        List<LayerRef> adapted = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (LayerRef layer : layers) {
            boolean byName = names.contains(layer.name()) || anyMatch(patterns, layer.name());
            boolean byKind = LayerKind.familyOf(layer.conf()).map(kinds::contains).orElse(false);
            if ((!byName && !byKind) || excludedNames.contains(layer.name())
                    || anyMatch(excludedPatterns, layer.name())) {
                continue;
            }
            if (!above.contains(layer.name())) {
                if (names.contains(layer.name())) {
                    throw new IllegalArgumentException("Layer " + layer.describe() + " is a target but comes no later"
                            + " than frozenUpTo(\"" + frozenUpTo + "\") in the forward order " + forwardOrder
                            + "; drop it from the targets or freeze up to an earlier layer");
                }
                continue;
            }
            String reason = LayerKind.whyNotAdaptable(layer.conf()).orElse(null);
            if (reason == null) {
                adapted.add(layer);
            } else if (byName) {
                throw new IllegalArgumentException("Layer " + layer.describe() + " cannot be adapted: " + reason
                        + "; remove it from the targets or exclude it. Adaptable layers: "
                        + listing(layers.stream().filter(l -> LayerKind.whyNotAdaptable(l.conf()).isEmpty()).toList()));
            } else {
                log.info("NOLA: skipping layer {}: {}", layer.describe(), reason);
                skipped.put(layer.name(), reason);
            }
        }
        if (adapted.isEmpty() && !onlyFrozenUpTo()) {
            throw new IllegalArgumentException("No layer matched the NOLA targets " + describeTargets()
                    + (skipped.isEmpty() ? "" : " (skipped: " + skipped + ")")
                    + "; choose targets among the network's layers: " + listing(layers));
        }
        return new Selection(List.copyOf(adapted), Map.copyOf(skipped));
    }

    private String describeTargets() {
        return "{names=" + names + ", patterns=" + patterns + ", kinds=" + kinds + ", excludes=" + excludedNames
                + excludedPatterns + (frozenUpTo == null ? "" : ", frozenUpTo=" + frozenUpTo) + "}";
    }

    static String listing(List<LayerRef> layers) {
        return layers.stream().map(LayerRef::describe).collect(Collectors.joining(", ", "[", "]"));
    }

    static boolean anyMatch(List<Pattern> list, String name) {
        return list.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static Set<String> concat(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }
}
