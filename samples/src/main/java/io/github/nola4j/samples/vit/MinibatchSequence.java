package io.github.nola4j.samples.vit;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/**
 * The minibatches of a run, step 0 to {@code steps - 1}, each made when SameDiff asks for it, so that one
 * {@code SameDiff.fit(sequence, 1)} trains them all: SameDiff builds its training session once per {@code fit}
 * call, and a session reused over the steps costs less per step than one {@code fit(MultiDataSet)} per step
 * (README, "Samples: NOLA on a ViT built in SameDiff"). Iteration counts, and so the learning-rate schedule,
 * are the same either way.
 */
public final class MinibatchSequence implements MultiDataSetIterator {

    private final int steps;
    private final IntFunction<MultiDataSet> minibatch;
    private int next;

    /**
     * @param steps     number of minibatches
     * @param minibatch makes the minibatch of a step (it may also report progress)
     */
    public MinibatchSequence(int steps, IntFunction<MultiDataSet> minibatch) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps " + steps + " must be at least 1");
        }
        this.steps = steps;
        this.minibatch = minibatch;
    }

    @Override
    public boolean hasNext() {
        return next < steps;
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + steps + " minibatches were given");
        }
        return minibatch.apply(next++);
    }

    /** The minibatch size is the run's; {@code num} is ignored. */
    @Override
    public MultiDataSet next(int num) {
        return next();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        throw new UnsupportedOperationException("the minibatches are made ready to train; no pre-processor");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        next = 0;
    }
}
