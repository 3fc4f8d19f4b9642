package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterPayload;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.LayerAdapterKind;
import io.github.nola4j.layers.basis.BasisGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checks an adapter file passes before it is loaded, in one place for the layers' {@link AdapterApplier}
 * and the SameDiff graphs' applier ({@code io.github.nola4j.zoo.graph.GraphAdapterApplier}): the basis
 * generator, one entry per adapted layer or weight, each entry's configuration against the target's, finite
 * coefficients, and the base fingerprint. Each throws {@link AdapterMismatchException} (or, for values that are
 * not finite, {@code AdapterFormatException}) naming the value, the constraint and the fix.
 */
public final class AdapterChecks {

    private AdapterChecks() {
    }

    /** @throws AdapterMismatchException if {@code adapter}'s bases come from another generator or version */
    public static void requireGenerator(Adapter adapter) {
        if (!BasisGenerator.ID.equals(adapter.generatorId()) || BasisGenerator.VERSION != adapter.generatorVersion()) {
            throw new AdapterMismatchException("adapter \"" + adapter.task() + "\" was made with basis generator "
                    + adapter.generatorId() + " version " + adapter.generatorVersion() + ", but this library generates"
                    + " bases with " + BasisGenerator.ID + " version " + BasisGenerator.VERSION + "; its coefficients"
                    + " mean nothing on other bases. Use the nola4j release that wrote it");
        }
    }

    /**
     * @param entry what an entry adapts, for the message: "layer" or "weight"
     * @return the adapter's entries by name, in file order
     * @throws AdapterMismatchException if a name appears twice
     */
    public static Map<String, LayerAdapter> entriesByName(Adapter adapter, String entry) {
        Map<String, LayerAdapter> byName = new LinkedHashMap<>();
        for (LayerAdapter la : adapter.layers()) {
            if (byName.put(la.name(), la) != null) {
                throw new AdapterMismatchException(entry + " \"" + la.name() + "\" appears twice in adapter \""
                        + adapter.task() + "\"; each adapted " + entry + " has one entry. The file is corrupt, save it"
                        + " again");
            }
        }
        return byName;
    }

    /**
     * Checks that the entry {@code want} of a file fits the target's own configuration {@code have} (kind, type,
     * shape, bias, r, k, l, s and, for NOLA, the basis seed: a LoRA seed only chose A's start, which the file
     * replaces) and that its coefficients are finite.
     *
     * @param entry  "layer" or "weight"
     * @param target "network" or "graph"
     * @param fix    what to do when it does not fit
     */
    public static void requireCompatible(LayerAdapter want, LayerAdapter have, String entry, String target,
                                         String fix) {
        boolean same = want.kind() == have.kind() && want.type().equals(have.type())
                && Arrays.equals(want.weightShape(), have.weightShape()) && want.hasBias() == have.hasBias()
                && want.rank() == have.rank() && want.numBasesA() == have.numBasesA()
                && want.numBasesB() == have.numBasesB() && Double.compare(want.scale(), have.scale()) == 0
                && (have.kind() == LayerAdapterKind.LORA || want.basisSeed() == have.basisSeed());
        if (!same) {
            throw new AdapterMismatchException(entry + " \"" + want.name() + "\": the adapter is for " + want.describe()
                    + " but the " + target + " has " + have.describe() + "; " + fix + " (the bases depend on shape,"
                    + " r, k, l and seed)");
        }
        AdapterPayload.requireFinite(want.name() + "/" + want.kind().firstKey(), want.alpha());
        AdapterPayload.requireFinite(want.name() + "/" + want.kind().secondKey(), want.beta());
    }

    /**
     * @param target "network" or "graph"
     * @throws AdapterMismatchException if {@code adapter} was trained on another base and {@code options} do not
     *                                  allow that
     */
    public static void requireBase(Adapter adapter, String fingerprint, LoadOptions options, String target) {
        if (!options.allowDifferentBase() && !adapter.baseFingerprint().equals(fingerprint)) {
            throw new AdapterMismatchException("adapter \"" + adapter.task() + "\" was trained on the base with"
                    + " fingerprint " + adapter.baseFingerprint() + " but this " + target + "'s base has "
                    + fingerprint + " (" + BaseFingerprint.SCHEME + "); load it onto that base, or pass"
                    + " LoadOptions.ALLOW_DIFFERENT_BASE to apply it to another base on purpose");
        }
    }

    /** @return the assignment of {@code values} (C order) to {@code target}, cast to its data type */
    public static AdapterPlan.Assignment assignment(String id, INDArray target, float[] values) {
        INDArray v = Nd4j.createFromArray(values).reshape('c', target.shape()).castTo(target.dataType());
        return new AdapterPlan.Assignment(id, target, v);
    }
}
