/**
 * The {@code soak} command: long runs that check that memory stays flat. {@link MergeSoak}
 * switches, merges and unmerges adapters on zoo ResNet50 a thousand times; {@link TrainingSoak}
 * runs a thousand NOLA training steps of the {@code conv} bench scenario. Both sample the
 * process's resident memory ({@link ResidentMemory}) and pass when it grows less than a limit
 * after warm-up, with default JVM and JavaCPP settings.
 */
package io.github.nola4j.samples.soak;
