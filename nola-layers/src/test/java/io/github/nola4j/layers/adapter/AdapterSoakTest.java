package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaConv2d;
import io.github.nola4j.layers.NolaDense;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Merge, unmerge, activate and detach in a loop on a mid-sized network (four 3×3 convolutions up
 * to 64→64 and a 4096→128 dense layer, 0.65 M frozen weights, 2.6 MB), in bounded native memory
 * and back to the pristine base bit for bit.
 *
 * <p>The bound is on the process's resident memory ({@link Pointer#physicalBytes()}), measured
 * after a warm-up and checked every few cycles, so that a leak fails the test as soon as it
 * passes the bound, long before it could hurt the machine: merging this network makes about
 * 8 MB of temporaries, which without reuse piled up until the garbage collector happened to run
 * (650 MB after 40 cycles, 15 MB a cycle). The bound leaves room for the Java heap, whose pages
 * the collector touches for the first time as the test runs (up to about 50 MB were seen here).
 * No System.gc() is called: the point is that nothing depends on it.
 */
class AdapterSoakTest {

    private static final Logger log = LoggerFactory.getLogger(AdapterSoakTest.class);
    private static final int WARMUP = 20;
    private static final int CYCLES = 60;
    private static final long BOUND_BYTES = 96L << 20;

    @Test
    void mergeUnmergeActivateDetachCyclesRunInBoundedMemoryAndRestoreEveryBit() {
        MultiLayerNetwork net = network();
        AdaptedNetwork adapted = AdaptedNetwork.of(net);
        float[] pristine = TestNets.params(net);
        AdapterBank bank = new AdapterBank(adapted, TestNets.HEAD, LoadOptions.STRICT);
        TestNets.pretendTrained(net, 21);
        bank.add("a", AdapterCapture.capture(adapted, "a", TestNets.HEAD));
        TestNets.pretendTrained(net, 22);
        bank.add("b", AdapterCapture.capture(adapted, "b", TestNets.HEAD));
        bank.useBase();

        for (int i = 0; i < WARMUP; i++) {
            cycle(bank, i);
        }
        long before = Pointer.physicalBytes();
        long heapBefore = Runtime.getRuntime().totalMemory();
        long growth = 0;
        long start = System.nanoTime();
        for (int i = 0; i < CYCLES; i++) {
            cycle(bank, i);
            if (i % 5 == 4) {
                growth = Math.max(growth, nativeGrowth(before, heapBefore));
                assertTrue(growth < BOUND_BYTES, "resident memory outside the Java heap grew by " + mb(growth)
                        + " MB in " + (i + 1) + " merge cycles after warm-up, more than " + mb(BOUND_BYTES) + " MB");
            }
        }
        double msPerCycle = (System.nanoTime() - start) / 1e6 / CYCLES;
        bank.useBase();
        log.info("{} merge cycles: {} ms per cycle, resident {} MB before, largest growth outside the heap {} MB",
                CYCLES, String.format("%.1f", msPerCycle), mb(before), mb(growth));
        assertArrayEquals(pristine, TestNets.params(net), "parameters after " + (WARMUP + CYCLES) + " cycles");
    }

    /**
     * @return growth of resident memory since {@code rss0}, less any growth of the committed Java heap since
     * {@code heap0} (the collector may commit and touch more heap at any time; that is not native memory)
     */
    private static long nativeGrowth(long rss0, long heap0) {
        long heapGrowth = Math.max(0, Runtime.getRuntime().totalMemory() - heap0);
        return Pointer.physicalBytes() - rss0 - heapGrowth;
    }

    /** activate, merge, unmerge, merge, switch (unmerges), detach every 4th cycle. */
    private static void cycle(AdapterBank bank, int i) {
        bank.activate(i % 2 == 0 ? "a" : "b");
        bank.merge();
        bank.unmerge();
        bank.merge();
        if (i % 4 == 3) {
            bank.useBase();
        }
    }

    /** 8×8×16 input; conv0 16→64, conv1-3 64→64 (3×3, Same); dense 4096→128; head 128→3. */
    static MultiLayerNetwork network() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).list();
        for (int i = 0; i < 4; i++) {
            list.layer(new NolaConv2d.Builder().name("conv" + i).nOut(64).kernelSize(3, 3).rank(4)
                    .numBasesA(64).numBasesB(64).basisSeed(3).scale(0.25).activation(Activation.RELU).build());
        }
        list.layer(new NolaDense.Builder().name("dense").nOut(128).rank(4).numBasesA(64).numBasesB(64).basisSeed(3)
                .scale(0.25).activation(Activation.RELU).build());
        list.layer(new OutputLayer.Builder().name("head").nOut(3).activation(Activation.SOFTMAX)
                .lossFunction(LossFunctions.LossFunction.MCXENT).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(InputType.convolutional(8, 8, 16)).build());
        net.init();
        return net;
    }

    private static long mb(long bytes) {
        return bytes >> 20;
    }
}
