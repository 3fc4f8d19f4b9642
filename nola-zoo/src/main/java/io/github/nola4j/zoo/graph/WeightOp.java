package io.github.nola4j.zoo.graph;

import java.util.Set;

/**
 * The ops whose weight input {@link NolaGraphTransfer#targetOps} selects, by libnd4j op name
 * ({@code DifferentialFunction.opName()}).
 */
public enum WeightOp {

    /**
     * A 2-D weight of a matrix product: {@code matmul} (what SameDiff's {@code mmul} builds; either operand,
     * with its transpose flags) and {@code xw_plus_b} (SameDiff's {@code nn().linear(x, W, b)}, W [nIn, nOut]).
     * An imported graph's products are adaptable where the importer produced one of these ops.
     */
    MATMUL(Set.of("matmul", "xw_plus_b")),

    /** A 4-D kernel of {@code conv2d} in its weights format: YXIO [kH, kW, nIn, nOut], OIYX or OYXI. */
    CONV2D(Set.of("conv2d"));

    private final Set<String> opNames;

    WeightOp(Set<String> opNames) {
        this.opNames = opNames;
    }

    /** @return the libnd4j op names of this kind */
    public Set<String> opNames() {
        return opNames;
    }

    /** @return the kind of the op named {@code opName}, or null when it has none */
    static WeightOp of(String opName) {
        for (WeightOp op : values()) {
            if (op.opNames.contains(opName)) {
                return op;
            }
        }
        return null;
    }
}
