package io.github.nola4j.samples.serve;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body of {@code POST /v1/predict}:
 * <pre>
 *   {"adapter": "shoes", "image": IMAGE}   or   {"adapter": "shoes", "images": [IMAGE, ...]}
 *   IMAGE: C·H·W numbers in C, H, W order, flat or nested as [C][H][W] ([H][W] when C = 1)
 * </pre>
 * Anything else is a 400 naming the expected shape.
 *
 * @param adapter the adapter's name
 * @param images  [n, C, H, W]
 */
record PredictRequest(String adapter, INDArray images) {

    /** The most images one request may carry. */
    static final int MAX_IMAGES = 256;

    /** @throws HttpError 400 for anything that is not a well-formed request for images of {@code shape} */
    static PredictRequest parse(JsonNode body, long[] shape) {
        if (body == null || !body.isObject()) {
            throw bad("the body is not a JSON object", shape);
        }
        JsonNode adapter = body.get("adapter");
        if (adapter == null || !adapter.isTextual() || adapter.asText().isBlank()) {
            throw bad("\"adapter\" (the adapter's name, a string) is missing", shape);
        }
        List<JsonNode> images = new ArrayList<>();
        if (body.has("image") == body.has("images")) {
            throw bad("give exactly one of \"image\" and \"images\"", shape);
        }
        if (body.has("image")) {
            images.add(body.get("image"));
        } else if (!body.get("images").isArray() || body.get("images").size() == 0
                || body.get("images").size() > MAX_IMAGES) {
            throw bad("\"images\" must be a list of 1 to " + MAX_IMAGES + " images", shape);
        } else {
            body.get("images").forEach(images::add);
        }
        long per = shape[0] * shape[1] * shape[2];
        float[] values = new float[Math.toIntExact(per * images.size())];
        for (int i = 0; i < images.size(); i++) {
            read(images.get(i), i, shape, values, (int) (i * per));
        }
        INDArray x = Nd4j.createFromArray(values).reshape('c', images.size(), shape[0], shape[1], shape[2]);
        return new PredictRequest(adapter.asText(), x.castTo(DataType.FLOAT));
    }

    private static void read(JsonNode image, int index, long[] shape, float[] out, int at) {
        List<Long> dims = new ArrayList<>();
        JsonNode n = image;
        while (n != null && n.isArray()) {
            dims.add((long) n.size());
            n = n.size() > 0 ? n.get(0) : null;
        }
        long per = shape[0] * shape[1] * shape[2];
        boolean flat = dims.equals(List.of(per));
        boolean chw = dims.equals(List.of(shape[0], shape[1], shape[2]));
        boolean hw = shape[0] == 1 && dims.equals(List.of(shape[1], shape[2]));
        if (!flat && !chw && !hw) {
            throw bad("image " + index + " has shape " + dims, shape);
        }
        int[] pos = {at};
        fill(image, dims.size(), index, shape, out, pos, (int) (at + per));
        if (pos[0] != at + per) {
            throw bad("image " + index + " is ragged (its lists differ in length)", shape);
        }
    }

    private static void fill(JsonNode node, int depth, int index, long[] shape, float[] out, int[] pos, int end) {
        for (JsonNode v : node) {
            if (depth > 1) {
                if (!v.isArray()) {
                    throw bad("image " + index + " is ragged (a number where a list belongs)", shape);
                }
                fill(v, depth - 1, index, shape, out, pos, end);
            } else if (pos[0] >= end) {
                throw bad("image " + index + " is ragged (its lists differ in length)", shape);
            } else if (v.isNumber() && Double.isFinite(v.asDouble())) {
                out[pos[0]++] = (float) v.asDouble();
            } else {
                throw bad("image " + index + " holds " + v + ", not a finite number", shape);
            }
        }
    }

    private static HttpError bad(String what, long[] shape) {
        return new HttpError(400, what + "; expected an image of shape [C, H, W] = " + Arrays.toString(shape)
                + " (nested, or flat with " + shape[0] * shape[1] * shape[2] + " numbers in C, H, W order), as"
                + " {\"adapter\": NAME, \"image\": IMAGE} or {\"adapter\": NAME, \"images\": [IMAGE, ...]}",
                java.util.Map.of("expected_shape", shape));
    }
}
