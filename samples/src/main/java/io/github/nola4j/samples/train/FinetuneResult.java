package io.github.nola4j.samples.train;

import io.github.nola4j.samples.cnn.Method;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Outcome of a fine-tuning run.
 *
 * @param method               the method
 * @param accuracy             accuracy on the full test split of the target classes, in [0, 1]
 * @param testImages           number of test images
 * @param trainableWithoutHead trained parameters below the head
 * @param headParams           parameters of the new head (always trained)
 * @param adapterBytes         size of what fine-tuning changed below the head at 32 bits per value
 *                             (NOLA: (k + l) · 4 bytes per adapted layer; the bases are re-made from the seed)
 * @param loraRank1Params      what LoRA rank 1 would train on the same layers (NOLA and LoRA, else 0)
 * @param trainSeconds         fine-tuning time
 * @param evalSeconds          evaluation time
 * @param mergeDifference      NOLA and LoRA only (else NaN): largest difference of the output probabilities of
 *                             the network and of its merge into plain DL4J layers on
 *                             {@link Finetuning#MERGE_CHECK_IMAGES} test images
 * @param losses               training loss of every step
 * @param transfer             the fine-tuned network and what its transfer did
 */
public record FinetuneResult(Method method, double accuracy, int testImages, long trainableWithoutHead,
                             long headParams, long adapterBytes, long loraRank1Params, double trainSeconds,
                             double evalSeconds, double mergeDifference, double[] losses,
                             TransferResult<MultiLayerNetwork> transfer) {

    /** @return the fine-tuned network */
    public MultiLayerNetwork net() {
        return transfer.network();
    }
}
