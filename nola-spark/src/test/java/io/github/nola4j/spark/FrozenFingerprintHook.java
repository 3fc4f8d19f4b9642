package io.github.nola4j.spark;

import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** A DL4J Spark training hook that reports the frozen fingerprint of the worker's network after every step. */
final class FrozenFingerprintHook implements TrainingHook {

    private final CollectionAccumulator<String> fingerprints;

    FrozenFingerprintHook(CollectionAccumulator<String> fingerprints) {
        this.fingerprints = fingerprints;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        fingerprints.add(TrainableParameters.of(model).frozenFingerprint());
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        fingerprints.add(TrainableParameters.of(model).frozenFingerprint());
    }
}
