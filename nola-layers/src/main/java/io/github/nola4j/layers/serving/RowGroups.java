package io.github.nola4j.layers.serving;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of one batch grouped by the adapter they name: rows of one group are made contiguous
 * ({@link #gather}), in the order of their first appearance, so each group is the range
 * [start, end) of dimension 0 of every activation; {@link #scatter} puts results back in the
 * caller's row order.
 */
final class RowGroups {

    /**
     * One adapter's rows.
     *
     * @param adapter the name the rows gave
     * @param start   first row of the group in gathered order
     * @param end     one past its last row
     */
    record Group(String adapter, int start, int end) {
    }

    private final List<Group> groups;
    private final int[] order;
    private final int[] inverse;
    private final boolean identity;

    private RowGroups(List<Group> groups, int[] order) {
        this.groups = List.copyOf(groups);
        this.order = order;
        this.inverse = new int[order.length];
        boolean same = true;
        for (int i = 0; i < order.length; i++) {
            inverse[order[i]] = i;
            same &= order[i] == i;
        }
        this.identity = same;
    }

    /** @param adapterPerRow the adapter of each row, non-null names */
    static RowGroups of(List<String> adapterPerRow) {
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (int i = 0; i < adapterPerRow.size(); i++) {
            rows.computeIfAbsent(adapterPerRow.get(i), k -> new ArrayList<>()).add(i);
        }
        int[] order = new int[adapterPerRow.size()];
        List<Group> groups = new ArrayList<>();
        int at = 0;
        for (Map.Entry<String, List<Integer>> e : rows.entrySet()) {
            int start = at;
            for (int row : e.getValue()) {
                order[at++] = row;
            }
            groups.add(new Group(e.getKey(), start, at));
        }
        return new RowGroups(groups, order);
    }

    /** @return the groups, in gathered order */
    List<Group> groups() {
        return groups;
    }

    /**
     * @return a new array (in the current workspace): {@code x} [mb, ...] with its rows in gathered order; a copy
     *         even in the caller's order, since DL4J layers may write their input in place at inference
     */
    INDArray gather(INDArray x) {
        return identity ? x.dup('c') : pull(x, order);
    }

    /** @return {@code y} [mb, ...] in gathered order put back in the caller's row order */
    INDArray scatter(INDArray y) {
        return identity ? y : pull(y, inverse);
    }

    private static INDArray pull(INDArray x, int[] rows) {
        long[] shape = x.shape();
        INDArray flat = x.reshape('c', shape[0], x.length() / shape[0]); // a view where x allows, else a copy
        return Nd4j.pullRows(flat, 1, rows).reshape('c', shape);
    }
}
