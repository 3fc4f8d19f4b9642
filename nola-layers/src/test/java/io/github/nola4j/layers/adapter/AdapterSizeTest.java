package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.AdapterCodec;
import io.github.nola4j.layers.adapter.format.CoefficientEncoding;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import io.github.nola4j.layers.adapter.format.WriteOptions;
import io.github.nola4j.layers.basis.BasisGenerator;
import io.github.nola4j.layers.quantization.CoefficientQuantization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A coefficient-only adapter takes at most 1.15 × payload + 4 KB, payload = Σ (k + l)·bits/8;
 * the 53-convolution ResNet-50 adapter at k = l = 256 and 4 bits stays under 16 KB.
 */
class AdapterSizeTest {

    private static final int OVERHEAD = 4096;
    private static final double RATIO = 1.15;

    @Test
    void smallNetworkAdapterIsWithinBudgetAtEveryWidth() {
        MultiLayerNetwork net = TestNets.base(1, 3);
        TestNets.pretendTrained(net, 1);
        Adapter a = AdapterCapture.capture(AdaptedNetwork.of(net), "small", List.of());
        for (int bits : new int[] {2, 3, 4, 5, 6, 7, 8, 32}) {
            int size = AdapterCodec.encode(a, new WriteOptions(new CoefficientEncoding(bits), true)).length;
            double payload = a.numCoefficients() * bits / 8.0;
            System.out.printf("small net (%d coefficients), %d bits: %d bytes, payload %.0f%n", a.numCoefficients(),
                    bits, size, payload);
            assertTrue(size <= RATIO * payload + OVERHEAD, bits + " bits: " + size + " bytes");
        }
    }

    @Test
    void resnet50AllConvolutionAdapterAt4BitsIsUnder16Kilobytes() {
        Adapter a = resnet50(256, 256);
        assertEquals(53, a.layers().size());
        int q4 = AdapterCodec.encode(a, WriteOptions.quantized(4)).length;
        int fp32 = AdapterCodec.encode(a, WriteOptions.fp32()).length;
        int q4plain = AdapterCodec.encode(a, WriteOptions.quantized(4).plainConfig()).length;
        double payload4 = a.numCoefficients() * 4 / 8.0;
        double payload32 = a.numCoefficients() * 4.0;
        System.out.printf("ResNet-50, 53 convs, k=l=256: 4 bits %d bytes (payload %.0f; plain JSON %d),"
                + " fp32 %d bytes (payload %.0f)%n", q4, payload4, q4plain, fp32, payload32);
        assertTrue(q4 < 16 * 1024, "4-bit ResNet-50 adapter has " + q4 + " bytes");
        assertTrue(q4 <= RATIO * payload4 + OVERHEAD);
        assertTrue(fp32 <= RATIO * payload32 + OVERHEAD);
        Adapter back = AdapterCodec.decode(AdapterCodec.encode(a, WriteOptions.quantized(4)));
        assertEquals(a.layers().get(52).name(), back.layers().get(52).name());
        assertArrayEquals(CoefficientQuantization.roundTrip(a.layers().get(52).beta(), 4), back.layers().get(52).beta());
    }

    /** Layer records shaped as the 53 convolutions of DL4J's zoo ResNet50 (names as in the zoo). */
    static Adapter resnet50(int k, int l) {
        Random r = new Random(50);
        List<LayerAdapter> layers = new ArrayList<>();
        layers.add(conv(r, "conv1", 64, 3, 7, k, l));
        int[][] stages = {{64, 256, 3}, {128, 512, 4}, {256, 1024, 6}, {512, 2048, 3}};
        int in = 64;
        for (int s = 0; s < stages.length; s++) {
            int mid = stages[s][0];
            int out = stages[s][1];
            for (int b = 0; b < stages[s][2]; b++) {
                String block = "res" + (s + 2) + (char) ('a' + b);
                layers.add(conv(r, block + "_branch2a", mid, in, 1, k, l));
                layers.add(conv(r, block + "_branch2b", mid, mid, 3, k, l));
                layers.add(conv(r, block + "_branch2c", out, mid, 1, k, l));
                if (b == 0) {
                    layers.add(conv(r, block + "_branch1", out, in, 1, k, l));
                }
                in = out;
            }
        }
        return new Adapter("resnet50-synthetic", BasisGenerator.ID, BasisGenerator.VERSION, "0".repeat(64), layers,
                List.of());
    }

    private static LayerAdapter conv(Random r, String name, int nOut, int nIn, int kernel, int k, int l) {
        float[] alpha = new float[k];
        float[] beta = new float[l];
        for (int i = 0; i < k; i++) {
            alpha[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < l; i++) {
            beta[i] = (float) r.nextGaussian() * 0.01f;
        }
        return new LayerAdapter(name, "NolaConv2d", new long[] {nOut, nIn, kernel, kernel}, false, 4, k, l, 0.25,
                0x4E4F4C41L, alpha, beta);
    }
}
