package io.github.nola4j.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A transfer's adapter options as {@link NolaTransfer}'s calls set them, with the calls that did:
 * {@code adapter(spec)} sets every option at once, so after a single-option call (rank, numBases,
 * ...) it would silently undo that call and is refused instead.
 */
final class AdapterSpecCalls {

    private AdapterSpec spec = AdapterSpec.DEFAULT;
    private final List<String> calls = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    /** @return the options as set so far */
    AdapterSpec spec() {
        return spec;
    }

    /** Applies the single-option call {@code name(args)}; a call that throws is not recorded. */
    void set(String name, String args, UnaryOperator<AdapterSpec> change) {
        spec = change.apply(spec);
        calls.add(name + "(" + args + ")");
        if (!names.contains(name + "(..)")) {
            names.add(name + "(..)");
        }
    }

    /** Sets every option to {@code all}, which must come before any single-option call. */
    void setAll(AdapterSpec all) {
        Objects.requireNonNull(all, "adapterSpec");
        if (!calls.isEmpty()) {
            throw new IllegalStateException("NolaTransfer: adapter(spec) sets every adapter option and would undo "
                    + String.join(", ", calls) + " called before it; call adapter(spec) first, then "
                    + String.join(", ", names));
        }
        spec = all;
    }
}
