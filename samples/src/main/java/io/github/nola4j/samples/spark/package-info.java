/**
 * The {@code spark} command: the samples' NOLA fine-tuning on Apache Spark (local mode by
 * default), NOLA-aware coefficient averaging against DL4J's parameter averaging and one machine.
 * Spark is not in the default {@code nola-samples.jar}; build {@code nola-samples-spark.jar} with
 * {@code -Pspark}.
 */
package io.github.nola4j.samples.spark;
