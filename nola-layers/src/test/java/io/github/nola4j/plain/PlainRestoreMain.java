package io.github.nola4j.plain;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;

/**
 * Restores a model zip and writes its output for one input, in a JVM whose class path has no
 * nola4j classes: proves that a merged model runs without the library. Uses DL4J only.
 * Arguments: model zip, input (Nd4j binary), output file (Nd4j binary).
 */
public final class PlainRestoreMain {
    private PlainRestoreMain() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.github.nola4j.layers.NolaLayer");
            throw new IllegalStateException("nola4j is on the class path of this check");
        } catch (ClassNotFoundException expected) {
            // the point of this program
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new File(args[0]), false);
        INDArray x = Nd4j.readBinary(new File(args[1]));
        Nd4j.saveBinary(net.output(x), new File(args[2]));
    }
}
