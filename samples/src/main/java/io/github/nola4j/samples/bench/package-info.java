/**
 * The {@code bench} command: training-step and inference timings of NOLA layers against the
 * built-in layers (full and frozen) in one run, as medians of many steps after warm-up.
 */
package io.github.nola4j.samples.bench;
