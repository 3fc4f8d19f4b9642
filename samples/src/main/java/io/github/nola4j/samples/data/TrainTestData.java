package io.github.nola4j.samples.data;

/**
 * A training split, a test split and where they came from.
 *
 * @param train       training images, original class indices
 * @param test        test images, same class indices
 * @param description where the data was read from, for the summary
 * @param id          short identifier of the data, used to name cached models
 */
public record TrainTestData(LabelledImages train, LabelledImages test, String description, String id) {
}
