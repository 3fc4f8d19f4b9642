package io.github.nola4j.samples.vit;

/**
 * The outcome of a {@link VitRun}.
 *
 * @param accuracy         test accuracy of the trained graph on the target classes
 * @param trainable        trained values below the head (α, β; LoRA's A, B; every weight for full)
 * @param loraRank1        what LoRA rank 1 trains on the adapted weights (0 without adapter)
 * @param fileBytes32      size of the adapter file with fp32 values (0 without adapter file)
 * @param fileBytes4       size of the adapter file with 4-bit NOLA coefficients (0 when not NOLA)
 * @param accuracy4        accuracy after saving at 4 bits and restoring from the base and the file (NaN when not NOLA)
 * @param roundTripDiff    max |p − p'| between the trained graph and one restored from the fp32 file (NaN without file)
 * @param trainSeconds     time of the training steps
 */
public record VitResult(double accuracy, long trainable, long loraRank1, long fileBytes32, long fileBytes4,
                        double accuracy4, double roundTripDiff, double trainSeconds) {
}
