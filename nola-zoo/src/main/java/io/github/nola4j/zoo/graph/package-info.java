/**
 * NOLA and LoRA on any SameDiff graph: {@link io.github.nola4j.zoo.graph.NolaGraphTransfer} selects
 * weight variables by name or by the op that consumes them and rewrites each selected W into
 * <pre>
 *   W + s·ΔW,   s·ΔW = A·(s·B) [fanIn, nOut] in W's own layout ({@link io.github.nola4j.zoo.graph.WeightLayout})
 *   NOLA: A = cA·Σ α_i A_i, B = cB·Σ β_j B_j over frozen seeded bases ({@link io.github.nola4j.layers.NolaFactors})
 *   LoRA: A, B trained directly, A Kaiming-uniform, B = 0
 * </pre>
 * on a copy of the graph, in which only α and β (or LoRA's A and B) stay trainable VARIABLEs and
 * every other variable becomes a CONSTANT. The result ({@link io.github.nola4j.zoo.graph.GraphTransferResult})
 * trains with SameDiff's own {@code fit} and {@code TrainingConfig}. The package reads only a
 * {@code SameDiff}; it never depends on an importer.
 *
 * <p>Its adapters are saved, loaded and restored in the layers' adapter file format
 * ({@link io.github.nola4j.zoo.graph.GraphAdapterFiles}, {@link io.github.nola4j.zoo.graph.NolaGraphTransfer#restore}),
 * switched ({@link io.github.nola4j.zoo.graph.GraphAdapterBank}) and merged into W and out bit-exactly
 * ({@link io.github.nola4j.zoo.graph.GraphMerger}).
 */
package io.github.nola4j.zoo.graph;
