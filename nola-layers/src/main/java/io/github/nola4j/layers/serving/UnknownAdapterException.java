package io.github.nola4j.layers.serving;

import java.util.List;

/** A request named an adapter that is not resident; {@link #known()} lists those that are. */
public final class UnknownAdapterException extends IllegalArgumentException {

    private final String name;
    private final List<String> known;

    /**
     * @param name  the name asked for
     * @param known the resident adapters' names at the time of the request
     */
    public UnknownAdapterException(String name, List<String> known) {
        super("no adapter \"" + name + "\" is resident; the resident adapters are " + known + " (and \""
                + MixedAdapterNetwork.BASE + "\" for the base). Add it with ResidentAdapters.add(name, adapter) first");
        this.name = name;
        this.known = List.copyOf(known);
    }

    /** @return the name asked for */
    public String name() {
        return name;
    }

    /** @return the resident adapters' names when the request was refused */
    public List<String> known() {
        return known;
    }
}
