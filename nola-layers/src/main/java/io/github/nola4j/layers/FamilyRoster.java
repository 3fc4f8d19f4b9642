package io.github.nola4j.layers;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link DirectLowRankLayer}s of one network, found by the parameter array DL4J instantiates them on
 * (every layer's parameters are a view of the network's one flattened array), and the
 * {@link FamilyProduct}s they form. A layer joins its roster when {@link LayerRuntime#instantiate} makes it,
 * in DL4J's instantiation order, whether the network is new, cloned or read back with ModelSerializer; so a
 * network and every copy of it form the same families and train on the same arithmetic. A second network
 * instantiated on the same array (a layer with the index and name of a member arrives) starts a roster of its
 * own.
 *
 * <p>The families form at the first training forward pass (or at {@link BasisFamilies#attach}) from the
 * roster's NOLA layers whose configuration has {@link NolaLayer#isBasisFamilyProduct()} (the default):
 * one family per basis seed, rank, k, l and data type, its members in roster order. The registry that finds
 * a roster by parameter array holds both weakly; a roster lives as long as one of its layers.
 */
final class FamilyRoster {

    private static final Logger log = LoggerFactory.getLogger(FamilyRoster.class);

    /** The roster of each parameter array (compared by identity), both held weakly. */
    private static final List<Entry> REGISTRY = new ArrayList<>();

    private record Entry(WeakReference<DataBuffer> parameters, WeakReference<FamilyRoster> roster) {
    }

    private final List<DirectLowRankLayer> layers = new ArrayList<>();
    private boolean formed;

    private FamilyRoster() {
    }

    /** Adds {@code layer}, instantiated on the parameter view {@code paramsView}, to its network's roster. */
    static void register(DirectLowRankLayer layer, INDArray paramsView) {
        if (paramsView == null) {
            return;
        }
        DataBuffer parameters = root(paramsView.data());
        FamilyRoster roster = null;
        synchronized (REGISTRY) {
            REGISTRY.removeIf(e -> e.parameters().get() == null || e.roster().get() == null);
            for (Entry e : REGISTRY) {
                if (e.parameters().get() == parameters) {
                    roster = e.roster().get();
                }
            }
            if (roster == null || roster.holdsPlaceOf(layer)) {
                // a first network on this array, or another one on the same array (a serving replica)
                REGISTRY.removeIf(e -> e.parameters().get() == parameters);
                roster = new FamilyRoster();
                REGISTRY.add(new Entry(new WeakReference<>(parameters), new WeakReference<>(roster)));
            }
            roster.add(layer);
        }
    }

    /** @return whether a member has {@code layer}'s index and name: then {@code layer} belongs to another network */
    private synchronized boolean holdsPlaceOf(DirectLowRankLayer layer) {
        String name = layer.getConf().getLayer().getLayerName();
        return layers.stream().anyMatch(d -> d.getIndex() == layer.getIndex()
                && Objects.equals(d.getConf().getLayer().getLayerName(), name));
    }

    /** @return the buffer a view's buffer wraps, down to the one that wraps none */
    private static DataBuffer root(DataBuffer buffer) {
        DataBuffer b = buffer;
        while (b.underlyingDataBuffer() != null && b.underlyingDataBuffer() != b) {
            b = b.underlyingDataBuffer();
        }
        return b;
    }

    private synchronized void add(DirectLowRankLayer layer) {
        layers.add(layer);
        layer.setRoster(this);
        formed = false;
    }

    /** Forms the families if they are not formed (first training step, or after a member's setting changed). */
    synchronized void ensureFormed() {
        if (!formed) {
            form();
        }
    }

    /** The next training step forms the families again from the members' settings. */
    synchronized void invalidate() {
        formed = false;
    }

    /** @return the number of layers now in a family product */
    synchronized int form() {
        Map<List<Object>, List<DirectLowRankLayer>> families = new LinkedHashMap<>();
        for (DirectLowRankLayer d : layers) {
            d.setFamilyProduct(null);
            if (d.layerConf() instanceof NolaLayer conf && conf.isBasisFamilyProduct()) {
                families.computeIfAbsent(FamilyFactors.familyKey(conf.nolaFactors(), d.getDataType()),
                        k -> new ArrayList<>()).add(d);
            }
        }
        int n = 0;
        for (List<DirectLowRankLayer> family : families.values()) {
            FamilyProduct product = new FamilyProduct(family);
            family.forEach(d -> d.setFamilyProduct(product));
            n += family.size();
        }
        formed = true;
        log.debug("{} NOLA layer(s) in {} basis family product(s)", n, families.size());
        return n;
    }
}
