package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.WriteOptions;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The adapter file of parametrisation 1 (cA = 1/√(k·fanIn), cB = 1/√l, α at step 0 in [-1, 1)),
 * written once by the release that trained in it, with the outputs its network gave: a later
 * release must load it to the same outputs ({@code OldParametrisationLoadTest}).
 *
 * <p>The network is {@link TestNets#base} with weight seed {@link #WEIGHT_SEED} and
 * {@link TestNets#pretendTrained} coefficients; the outputs are on {@link TestNets#input} of
 * {@link #INPUT_SEED}, [5, {@link #CLASSES}] row-major, one float per line.
 */
final class OldParametrisationGolden {

    static final String ADAPTER = "golden-param1-fp32.nola";
    static final String OUTPUTS = "golden-param1-outputs.txt";
    static final long WEIGHT_SEED = 21;
    static final long TRAIN_SEED = 22;
    static final long INPUT_SEED = 23;
    static final int CLASSES = 3;

    private OldParametrisationGolden() {
    }

    /** Writes both files once, from the nola-layers directory; never to make a test pass. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of("src/test/resources/adapter");
        MultiLayerNetwork net = TestNets.base(WEIGHT_SEED, CLASSES);
        TestNets.pretendTrained(net, TRAIN_SEED);
        AdapterFiles.save(AdaptedNetwork.of(net), dir.resolve(ADAPTER), "param1", TestNets.HEAD, WriteOptions.fp32());
        INDArray out = net.output(TestNets.input(INPUT_SEED), false);
        float[] values = out.reshape(out.length()).toFloatVector();
        StringBuilder text = new StringBuilder();
        for (float v : values) {
            text.append(Float.toString(v)).append('\n');
        }
        Files.writeString(dir.resolve(OUTPUTS), text.toString());
        System.out.println(Arrays.stream(out.shape()).mapToObj(Long::toString).collect(Collectors.joining("x")));
    }
}
