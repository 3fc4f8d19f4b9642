package io.github.nola4j.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A residual sum below the first trainable layer runs on {@link FrozenSumRuntime}: its activations, the
 * network's output and two training steps are bit-identical to the same network with DL4J's FrozenVertex, and
 * the network saves and loads with it.
 */
class FrozenSumTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void frozenSumComputesWhatDl4jsVertexComputes(DataType dt) throws Exception {
        ComputationGraph net = NolaTransfer.of(MixedFrozenRuntimesTest.resnetLike(dt)).targetNames("c").rank(2)
                .numBases(5, 7).basisSeed(11).replaceHead(4).build().network();
        assertInstanceOf(FrozenForwardVertex.class, net.getConfiguration().getVertices().get("sum"));
        assertInstanceOf(FrozenSumRuntime.class, net.getVertex("sum"));

        ComputationGraphConfiguration plainConf = net.getConfiguration().clone();
        plainConf.getVertices().replaceAll((name, v) -> v instanceof FrozenForwardVertex f
                ? new FrozenVertex(f.getUnderlying()) : v);
        ComputationGraph plain = new ComputationGraph(plainConf);
        plain.init(net.params().dup(), false);
        assertFalse(plain.getVertex("sum") instanceof FrozenSumRuntime, "the reference runs DL4J's vertex");

        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.rand(dt, 3, 2, 9, 9);
        assertTrue(Fixtures.bitIdentical(plain.feedForward(x, false).get("sum"), net.feedForward(x, false).get("sum")),
                "sum");
        INDArray labels = Nd4j.eye(4).getRows(0, 1, 2).castTo(dt);
        for (int i = 0; i < 2; i++) {
            plain.fit(new DataSet(x, labels));
            net.fit(new DataSet(x, labels));
        }
        assertTrue(Fixtures.bitIdentical(plain.params(), net.params()), "trained parameters");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, false);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        assertInstanceOf(FrozenSumRuntime.class, restored.getVertex("sum"));
        assertTrue(Fixtures.bitIdentical(net.output(x)[0], restored.output(x)[0]), "restored output");
    }
}
