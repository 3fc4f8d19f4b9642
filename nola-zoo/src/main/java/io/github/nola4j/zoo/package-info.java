/**
 * Swapping NOLA layers into pretrained DL4J networks for parameter-efficient fine-tuning.
 *
 * <p>{@link io.github.nola4j.zoo.NolaTransfer} is the entry point: it takes a
 * {@code MultiLayerNetwork} or {@code ComputationGraph} (for example from a zoo model), replaces
 * the selected dense and convolution layers by {@link io.github.nola4j.layers.NolaDense} and
 * {@link io.github.nola4j.layers.NolaConv2d} with the pretrained W and b copied in, optionally
 * replaces the head, freezes everything else (gradients flow through frozen layers with a trainable
 * layer below them; those before the first trainable layer are {@link io.github.nola4j.zoo.FrozenForwardLayer},
 * DL4J's FrozenLayer, where backprop stops; frozen convolution, BatchNorm and dense layers run on
 * libnd4j, see {@link io.github.nola4j.zoo.FrozenInferenceRuntime}) and
 * reports a {@link io.github.nola4j.zoo.TrainableSummary}. The input network is never modified.
 * {@link io.github.nola4j.zoo.AdapterKind#LORA} swaps in LoRA layers instead, and
 * {@link io.github.nola4j.zoo.NolaTransfer#calibrateBatchNorm} sets a random-init model's BatchNorm
 * statistics first.
 *
 * <p><b>Saving and restoring.</b> {@link io.github.nola4j.zoo.TransferResult#saveAdapter} writes the
 * NOLA coefficients, every layer that trains in full (new head, trainable BatchNorm) and the
 * transfer's settings ({@link io.github.nola4j.zoo.TransferSettings}) into one adapter file;
 * {@code NolaTransfer.of(base).restore(file)} rebuilds the trained network from the base and that
 * file alone ({@link io.github.nola4j.zoo.AdapterRestore}).
 *
 * <p>{@link io.github.nola4j.zoo.NolaTransfer} only collects options; they are frozen into a
 * {@link io.github.nola4j.zoo.TransferOptions} record that {@link io.github.nola4j.zoo.TransferAssembler}
 * carries out through a {@link io.github.nola4j.zoo.NetworkEditor}.
 *
 * <p><b>Data-parallel fine-tuning.</b> The adapted network works with DL4J's {@code ParallelWrapper}
 * (artifact {@code deeplearning4j-parallel-wrapper}, not a dependency of this module) in
 * {@code AVERAGING} mode: worker replicas are rebuilt from the configuration JSON, so they get the
 * same bases, and frozen parameters receive no update. Use a power-of-two number of workers
 * (2, 4, 8): DL4J 1.0.0-M2.1 averages by summing and dividing by the worker count, which is exact
 * for identical frozen values only then; with 3 workers some frozen W values move by an ulp on every
 * averaging round.
 */
package io.github.nola4j.zoo;
