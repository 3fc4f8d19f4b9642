package io.github.nola4j.layers.adapter;

import io.github.nola4j.layers.NolaLayer;
import io.github.nola4j.layers.adapter.format.Adapter;
import io.github.nola4j.layers.adapter.format.LayerAdapter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An adapter file written by the release that trained in parametrisation 1
 * ({@link OldParametrisationGolden}) loads into today's layers (parametrisation 2) to the outputs
 * that release's network gave.
 */
class OldParametrisationLoadTest {

    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = OldParametrisationLoadTest.class.getResourceAsStream("/adapter/" + name)) {
            assertNotNull(in, "missing test resource adapter/" + name);
            return in.readAllBytes();
        }
    }

    private static float[] goldenOutputs() throws IOException {
        String[] lines = new String(resource(OldParametrisationGolden.OUTPUTS), StandardCharsets.US_ASCII)
                .strip().split("\n");
        float[] v = new float[lines.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(lines[i]);
        }
        return v;
    }

    private static float[] outputs(MultiLayerNetwork net) {
        return net.output(TestNets.input(OldParametrisationGolden.INPUT_SEED), false).reshape(-1).toFloatVector();
    }

    @Test
    void parametrisation1FileGivesTheSameOutputsUnderParametrisation2() throws IOException {
        Path file = dir.resolve("old.nola");
        Files.write(file, resource(OldParametrisationGolden.ADAPTER));
        MultiLayerNetwork net = TestNets.base(OldParametrisationGolden.WEIGHT_SEED, OldParametrisationGolden.CLASSES);
        for (NolaLayer layer : AdaptedNetwork.of(net).nolaLayers().stream().map(AdaptedNetwork::configOf).toList()) {
            assertEquals(NolaLayer.PARAMETRISATION, layer.getParametrisation());
        }
        float[] before = outputs(net);
        float[] golden = goldenOutputs();
        assertEquals(golden.length, before.length);
        assertFalse(maxDifference(golden, before) < 1e-3, "the adapter must change the outputs for this test to "
                + "show anything");

        Adapter read = AdapterFiles.load(AdaptedNetwork.of(net), file, LoadOptions.STRICT);
        assertEquals(0f, maxDifference(golden, outputs(net)), 2e-6f);

        // as stored (α, β of parametrisation 1, undoing α' = α·sqrt(3/fanIn), β' = β·sqrt(3)) they give other outputs
        for (LayerAdapter la : read.layers()) {
            float[] alpha = la.alpha().clone();
            float[] beta = la.beta().clone();
            for (int i = 0; i < alpha.length; i++) {
                alpha[i] = (float) (alpha[i] / Math.sqrt(3.0 / la.fanIn()));
            }
            for (int j = 0; j < beta.length; j++) {
                beta[j] = (float) (beta[j] / Math.sqrt(3.0));
            }
            AdaptedNetwork.of(net).layer(la.name()).getParam(NolaLayer.ALPHA_KEY)
                    .assign(Nd4j.createFromArray(alpha).reshape(1, alpha.length));
            AdaptedNetwork.of(net).layer(la.name()).getParam(NolaLayer.BETA_KEY)
                    .assign(Nd4j.createFromArray(beta).reshape(1, beta.length));
        }
        assertTrue(maxDifference(golden, outputs(net)) > 1e-3, "unconverted coefficients must change the outputs");
    }

    private static float maxDifference(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
