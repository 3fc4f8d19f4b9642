package io.github.nola4j.zoo.graph;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models exported from PyTorch 1.13 and imported with {@code samediff-import-onnx} 1.0.0-M2.1: a ResNet-style CNN
 * (BatchNorm folded, a basic block, global average pool, linear head) and a 2-block pre-norm ViT (patch
 * embedding, LayerNorm, 2-head attention, GELU MLP, mean pool). {@code src/test/resources/onnx/make_models.py}
 * made them with the export recipe its docstring describes, and wrote PyTorch's output for a fixed input beside
 * each. The import equals PyTorch to 1e-5; NOLA on every matmul and conv2d weight equals the import at step 0;
 * SameDiff's fit trains α and β only (every other variable bit-identical) and the loss falls.
 */
class ImportedOnnxModelTest {

    private static final Path DIR = Path.of("src/test/resources/onnx");
    private static final String INPUT = "input";
    private static final String OUTPUT = "output";

    @ParameterizedTest
    @ValueSource(strings = {"tiny_cnn", "tiny_vit"})
    void importsEqualsPyTorchAndAdapts(String model) throws IOException {
        List<String> io = Files.readAllLines(DIR.resolve(model + ".io.txt"));
        INDArray x = read(io.get(0), io.get(1));
        INDArray expected = read(io.get(2), io.get(3));
        SameDiff base = new OnnxFrameworkImporter().runImport(DIR.resolve(model + ".onnx").toString(), Map.of(),
                false);
        INDArray imported = base.output(Map.of(INPUT, x), OUTPUT).get(OUTPUT);
        double error = imported.sub(expected).amaxNumber().doubleValue();
        assertTrue(error <= 1e-5, model + ": max |SameDiff - PyTorch| = " + error);

        long classes = expected.size(1);
        SDVariable label = base.placeHolder("label", DataType.FLOAT, x.size(0), classes);
        base.math().log(base.nn().softmax(base.getVariable(OUTPUT), 1)).mul(label).sum(1).mean().neg().rename("loss");
        base.setLossVariables("loss");
        GraphTransferResult r = NolaGraphTransfer.of(base).targetOps(WeightOp.MATMUL, WeightOp.CONV2D).rank(2)
                .numBases(16, 16).basisSeed(7).build();
        Set<String> adapted = r.adaptedWeights().stream().map(AdaptedWeight::name).collect(Collectors.toSet());
        assertFalse(adapted.isEmpty(), model + ": nothing adapted");
        SameDiff sd = r.sameDiff();
        GraphFixtures.assertClose(imported, sd.output(Map.of(INPUT, x), OUTPUT).get(OUTPUT), 1e-6, model + " step 0");

        INDArray labels = Nd4j.zeros(DataType.FLOAT, x.size(0), classes);
        for (int i = 0; i < x.size(0); i++) {
            labels.putScalar(i, (2 * i + 1) % classes, 1.0);
        }
        DataSet data = new DataSet(x, labels);
        Map<String, INDArray> before = GraphFixtures.snapshot(sd);
        double first = loss(sd, data);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(3e-2)).dataSetFeatureMapping(INPUT)
                .dataSetLabelMapping("label").build());
        for (int i = 0; i < 10; i++) {
            sd.fit(data);
        }
        int frozen = 0;
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            if (!r.trainableVariables().contains(e.getKey())) {
                GraphFixtures.assertBitIdentical(e.getValue(), sd.getArrForVarName(e.getKey()), model + " " + e.getKey());
                frozen++;
            }
        }
        assertTrue(frozen > adapted.size(), model + ": frozen variables checked: " + frozen);
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                assertTrue(r.trainableVariables().contains(v.name()), model + ": " + v.name() + " is a VARIABLE");
            }
        }
        double last = loss(sd, data);
        assertTrue(last < first, model + ": loss " + first + " -> " + last);
        assertEquals(imported, base.output(Map.of(INPUT, x), OUTPUT).get(OUTPUT), model + ": the base is untouched");
    }

    private static double loss(SameDiff sd, DataSet data) {
        return sd.output(Map.of(INPUT, data.getFeatures(), "label", data.getLabels()), "loss").get("loss")
                .getDouble(0);
    }

    /** @return the array of an io.txt pair of lines: "name d0 d1 ..." then the values in C order */
    private static INDArray read(String header, String values) {
        String[] h = header.trim().split(" ");
        long[] shape = new long[h.length - 1];
        for (int i = 1; i < h.length; i++) {
            shape[i - 1] = Long.parseLong(h[i]);
        }
        String[] v = values.trim().split(" ");
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = Float.parseFloat(v[i]);
        }
        return Nd4j.createFromArray(f).reshape(shape);
    }
}
