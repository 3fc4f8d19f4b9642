/**
 * NOLA fine-tuning on Apache Spark.
 *
 * <p>{@link io.github.nola4j.spark.CoefficientAveragingTrainer} broadcasts the network once and
 * then, every averaging round, ships only its trainable values (NOLA's α and β, the new head and
 * any layer kept trainable) to the workers and back, averaging them with {@code treeAggregate}.
 * {@link io.github.nola4j.spark.ParameterAveragingTraining} runs the same network through DL4J's
 * own {@code ParameterAveragingTrainingMaster}, which ships the whole flattened parameter vector
 * every round; {@link io.github.nola4j.spark.WireBytes} gives the bytes per round of both.
 *
 * <p>Spark 3.1 on Java 17 needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} and
 * {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED} (and, with Kryo, {@code --add-opens}
 * for java.lang, java.util, java.lang.invoke and java.util.concurrent.atomic) on every JVM.
 */
package io.github.nola4j.spark;
