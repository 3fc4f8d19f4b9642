package io.github.nola4j.zoo.graph;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds a graph's weight variables and how each is consumed ({@link GraphWeight}). A weight can be
 * adapted when every op reading it is one of {@link WeightOp} at its weight input and all agree on one
 * {@link WeightLayout}:
 * <ul>
 *   <li>{@code matmul} with W of rank 2: right operand x·W [nIn, nOut] (DENSE), x·Wᵀ (DENSE_TRANSPOSED);
 *       left operand W·x (DENSE_TRANSPOSED: W [nOut, nIn]), Wᵀ·x (DENSE);</li>
 *   <li>{@code xw_plus_b} with W at input 1 and no integer arguments: DENSE;</li>
 *   <li>{@code conv2d} with W at input 1: the kernel layout of its {@code WeightsFormat}.</li>
 * </ul>
 */
final class GraphWeights {

    private GraphWeights() {
    }

    /** @return the weight variables of {@code sd} in the graph's variable order */
    static List<GraphWeight> scan(SameDiff sd) {
        List<GraphWeight> weights = new ArrayList<>();
        for (Variable v : sd.getVariables().values()) {
            SDVariable var = v.getVariable();
            VariableType type = var.getVariableType();
            // imported graphs (samediff-import-onnx) can list readers that are no longer ops of the graph
            List<String> readers = v.getInputsForOp() == null ? null
                    : v.getInputsForOp().stream().filter(sd.getOps()::containsKey).distinct().toList();
            if ((type != VariableType.VARIABLE && type != VariableType.CONSTANT) || readers == null
                    || readers.isEmpty()) {
                continue;
            }
            INDArray array = var.getArr();
            if (array == null || array.length() < 2) {
                continue;
            }
            weights.add(weight(sd, v.getName(), array, type, readers));
        }
        return weights;
    }

    private static GraphWeight weight(SameDiff sd, String name, INDArray array, VariableType type,
                                      List<String> readers) {
        List<String> consumers = new ArrayList<>();
        WeightOp op = null;
        WeightLayout layout = null;
        String reason = null;
        for (String opInstance : readers) {
            SameDiffOp sdOp = sd.getOps().get(opInstance);
            DifferentialFunction f = sdOp.getOp();
            int input = sdOp.getInputsToOp().indexOf(name);
            consumers.add(opInstance + " (" + f.opName() + ", input " + input + ")");
            WeightOp kind = WeightOp.of(f.opName());
            op = op == null ? kind : op;
            Object use = use(f, kind, input, array.rank());
            if (use instanceof String why) {
                reason = reason == null ? why + " [" + opInstance + "]" : reason;
            } else if (layout != null && layout != use) {
                reason = reason == null ? "read as " + layout + " by one op and as " + use + " by " + opInstance
                        + ", so no single W + s·ΔW fits both" : reason;
            } else {
                layout = (WeightLayout) use;
            }
        }
        if (reason != null) {
            layout = null;
        }
        return new GraphWeight(name, array.shape(), array.dataType(), type, consumers, op, layout, reason);
    }

    /** @return the {@link WeightLayout} of the weight at {@code input} of {@code f}, or why there is none */
    private static Object use(DifferentialFunction f, WeightOp kind, int input, int rank) {
        if (kind == null) {
            return "it is read by op '" + f.opName() + "', which is not one of " + Arrays.toString(WeightOp.values())
                    + " (" + WeightOp.MATMUL.opNames() + ", " + WeightOp.CONV2D.opNames() + ")";
        }
        if (kind == WeightOp.CONV2D) {
            return kernel(f, input, rank);
        }
        if (rank != 2) {
            return "it has rank " + rank + " where '" + f.opName() + "' would need one 2-D matrix (a batched product "
                    + "has no single weight)";
        }
        if ("xw_plus_b".equals(f.opName())) {
            if (input != 1) {
                return "it is input " + input + " of xw_plus_b, whose weight is input 1";
            }
            long[] iArgs = ((DynamicCustomOp) f).iArgs();
            return iArgs.length == 0 || Arrays.stream(iArgs).allMatch(i -> i == 0) ? WeightLayout.DENSE
                    : "xw_plus_b has integer arguments " + Arrays.toString(iArgs) + " (a transposed weight?), "
                    + "whose meaning this build does not read";
        }
        Map<String, Object> props = f.propertiesForFunction();
        boolean transposeA = Boolean.TRUE.equals(props.get("transposeA"));
        boolean transposeB = Boolean.TRUE.equals(props.get("transposeB"));
        if (input == 1) {
            return transposeB ? WeightLayout.DENSE_TRANSPOSED : WeightLayout.DENSE;
        }
        return transposeA ? WeightLayout.DENSE : WeightLayout.DENSE_TRANSPOSED;
    }

    private static Object kernel(DifferentialFunction f, int input, int rank) {
        if (input != 1) {
            return "it is input " + input + " of conv2d, whose kernel is input 1";
        }
        if (rank != 4) {
            return "conv2d kernel of rank " + rank + ", expected 4";
        }
        Conv2DConfig config = f instanceof Conv2D c ? c.getConfig() : null;
        WeightsFormat format = config == null || config.getWeightsFormat() == null ? null : config.getWeightsFormat();
        if (format == null) {
            return "conv2d without a Conv2DConfig weights format, so the kernel's layout is unknown";
        }
        return switch (format) {
            case YXIO -> WeightLayout.KERNEL_YXIO;
            case OIYX -> WeightLayout.KERNEL_OIYX;
            case OYXI -> WeightLayout.KERNEL_OYXI;
        };
    }
}
