package io.github.nola4j.spark;

import io.github.nola4j.zoo.LayerKind;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.ResNet50;

/**
 * Prints the bytes per averaging round of both schemes for DL4J's zoo ResNet50 (224x224x3, random
 * init) with NOLA on every convolution at r = 4, k = l = 256 and a new 5-class head. Not a test:
 * run it with the test class path, e.g. from an IDE.
 */
public final class ResNet50WireBytesMain {

    private ResNet50WireBytesMain() {
    }

    public static void main(String[] args) {
        ComputationGraph base = ResNet50.builder().numClasses(1000).build().init();
        TransferResult<ComputationGraph> r = NolaTransfer.of(base).targetKinds(LayerKind.CONVOLUTION).rank(4)
                .numBases(256, 256).replaceHead(5).build();
        ComputationGraph net = r.network();
        System.out.println("adapted convolutions: " + r.adaptedLayers().size() + ", " + r.summary());
        System.out.println(WireBytes.coefficientAveraging(net, WireBytes.sparkSerializer()));
        System.out.println(WireBytes.parameterAveraging(net, false, WireBytes.sparkSerializer()));
        System.out.println(WireBytes.parameterAveraging(net, true, WireBytes.sparkSerializer()));
        System.out.println("base broadcast once: " + NetworkBytes.of(net).size() + " bytes");
    }
}
