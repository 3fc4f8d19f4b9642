package io.github.nola4j.spark;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;

/**
 * What workers send back after one averaging round, summed over workers by {@code treeAggregate}:
 * the sum of their trainable values, how many workers contributed, and the sums of their last
 * minibatch scores and of the examples they trained on. One worker's result is its own values.
 * Written as {@link Externalizable}, so the framing around the values is a few dozen bytes.
 */
public final class WorkerResult implements Externalizable {

    private static final long serialVersionUID = 1L;

    /** The zero of the aggregation: no worker. */
    public static final WorkerResult NONE = new WorkerResult(null, 0, 0, 0);

    private ValueVector valueSum;
    private int workers;
    private double scoreSum;
    private long examples;

    /** For deserialisation only. */
    public WorkerResult() {
    }

    /**
     * @param values   trainable values of one worker after its steps (null for {@link #NONE})
     * @param workers  workers summed into this result
     * @param scoreSum sum of the workers' last minibatch scores
     * @param examples examples trained on in this round
     */
    public WorkerResult(ValueVector values, int workers, double scoreSum, long examples) {
        this.valueSum = values;
        this.workers = workers;
        this.scoreSum = scoreSum;
        this.examples = examples;
    }

    /** @return the element-wise sum of both results (the aggregation's combine step) */
    public WorkerResult plus(WorkerResult other) {
        if (other.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return other;
        }
        return new WorkerResult(valueSum.plus(other.valueSum), workers + other.workers, scoreSum + other.scoreSum,
                examples + other.examples);
    }

    /** @return the average of the workers' values, or null when no worker contributed */
    public ValueVector average() {
        return workers == 0 ? null : valueSum.times(1.0 / workers);
    }

    /** @return the mean of the workers' last minibatch scores (NaN without workers) */
    public double meanScore() {
        return workers == 0 ? Double.NaN : scoreSum / workers;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        out.writeInt(workers);
        out.writeDouble(scoreSum);
        out.writeLong(examples);
        if (workers > 0) {
            valueSum.writeExternal(out);
        }
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        workers = in.readInt();
        scoreSum = in.readDouble();
        examples = in.readLong();
        if (workers > 0) {
            valueSum = new ValueVector();
            valueSum.readExternal(in);
        }
    }

    public int workers() {
        return workers;
    }

    public long examples() {
        return examples;
    }
}
