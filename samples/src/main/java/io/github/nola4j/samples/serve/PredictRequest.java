package io.github.nola4j.samples.serve;

import org.nd4j.shade.jackson.core.JsonFactory;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;

/**
 * The body of {@code POST /v1/predict}:
 * <pre>
 *   {"adapter": "shoes", "image": IMAGE}   or   {"adapter": "shoes", "images": [IMAGE, ...]}
 *   IMAGE: C·H·W numbers in C, H, W order, flat or nested as [C][H][W] ([H][W] when C = 1)
 * </pre>
 * Read with Jackson's streaming parser straight into one float array (no tree of nodes per number); other
 * fields are skipped. Anything else is a 400 naming the expected shape.
 *
 * @param adapter the adapter's name
 * @param images  the images' values one after another, count·C·H·W numbers in C, H, W order
 * @param count   how many images
 */
record PredictRequest(String adapter, float[] images, int count) {

    /** The most images one request may carry. */
    static final int MAX_IMAGES = 256;

    private static final JsonFactory JSON = new JsonFactory();

    /** @throws HttpError 400 for anything that is not a well-formed request for images of {@code shape} */
    static PredictRequest parse(byte[] body, long[] shape) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("the body is not a JSON object", shape);
            }
            String adapter = null;
            ImageValues images = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken value = p.nextToken();
                if (field.equals("adapter")) {
                    adapter = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                } else if (field.equals("image") || field.equals("images")) {
                    if (images != null) {
                        throw bad("give exactly one of \"image\" and \"images\"", shape);
                    }
                    images = new ImageValues(shape);
                    if (field.equals("image")) {
                        images.readImage(p);
                    } else {
                        images.readList(p);
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw bad("the body is not a JSON object", shape);
            }
            if (adapter == null || adapter.isBlank()) {
                throw bad("\"adapter\" (the adapter's name, a string) is missing", shape);
            }
            if (images == null) {
                throw bad("give exactly one of \"image\" and \"images\"", shape);
            }
            return new PredictRequest(adapter, images.values(), images.count);
        } catch (IOException e) {
            String why = e instanceof org.nd4j.shade.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new HttpError(400, "the body is not valid JSON: " + why);
        }
    }

    /** The images of one request as they are read: values, and the list lengths seen at each depth. */
    private static final class ImageValues {
        private static final int MAX_DEPTH = 3;
        private final long[] shape;
        private final int per;
        private float[] values;
        private int count;
        /** numbers read of the current image (more than per are counted, not kept) */
        private int read;
        private final int[] lengths = new int[MAX_DEPTH];
        private int depths;
        private int leafDepth;

        ImageValues(long[] shape) {
            this.shape = shape;
            this.per = Math.toIntExact(shape[0] * shape[1] * shape[2]);
            this.values = new float[per];
        }

        void readList(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw bad("\"images\" must be a list of 1 to " + MAX_IMAGES + " images", shape);
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (count == MAX_IMAGES) {
                    throw bad("\"images\" must be a list of 1 to " + MAX_IMAGES + " images", shape);
                }
                readImage(p);
            }
            if (count == 0) {
                throw bad("\"images\" must be a list of 1 to " + MAX_IMAGES + " images", shape);
            }
        }

        /** Reads one IMAGE, the parser at its first token. */
        void readImage(JsonParser p) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw bad("image " + count + " is " + p.getText() + ", not a list of numbers", shape);
            }
            if (values.length < (count + 1) * per) {
                values = Arrays.copyOf(values, Math.min(MAX_IMAGES, 2 * (count + 1)) * per);
            }
            read = 0;
            depths = 0;
            Arrays.fill(lengths, -1);
            leafDepth = -1;
            readArray(p, 0);
            int[] dims = Arrays.copyOf(lengths, depths);
            boolean flat = Arrays.equals(dims, new int[] {per});
            boolean chw = Arrays.equals(dims, new int[] {(int) shape[0], (int) shape[1], (int) shape[2]});
            boolean hw = shape[0] == 1 && Arrays.equals(dims, new int[] {(int) shape[1], (int) shape[2]});
            if (!flat && !chw && !hw || read != per) {
                throw bad("image " + count + " has shape " + Arrays.toString(dims), shape);
            }
            count++;
        }

        /** Reads a list at {@code depth}, the parser at its START_ARRAY; checks every list at a depth has one length. */
        private void readArray(JsonParser p, int depth) throws IOException {
            if (depth == MAX_DEPTH) {
                throw bad("image " + count + " has more than " + MAX_DEPTH + " levels of lists", shape);
            }
            int length = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == JsonToken.START_ARRAY) {
                    if (leafDepth >= 0 && depth + 1 > leafDepth) {
                        throw bad("image " + count + " is ragged (a list where a number belongs)", shape);
                    }
                    readArray(p, depth + 1);
                } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    if (leafDepth < 0) {
                        leafDepth = depth;
                    } else if (leafDepth != depth) {
                        throw bad("image " + count + " is ragged (a number where a list belongs)", shape);
                    }
                    double v = p.getDoubleValue();
                    if (!Double.isFinite(v)) {
                        throw bad("image " + count + " holds " + p.getText() + ", not a finite number", shape);
                    }
                    if (read < per) {
                        values[count * per + read] = (float) v;
                    }
                    read++;
                } else {
                    throw bad("image " + count + " holds " + p.getText() + ", not a finite number", shape);
                }
                length++;
            }
            depths = Math.max(depths, depth + 1);
            if (lengths[depth] < 0) {
                lengths[depth] = length;
            } else if (lengths[depth] != length) {
                throw bad("image " + count + " is ragged (its lists differ in length)", shape);
            }
        }

        float[] values() {
            return values.length == count * per ? values : Arrays.copyOf(values, count * per);
        }
    }

    private static HttpError bad(String what, long[] shape) {
        return new HttpError(400, what + "; expected an image of shape [C, H, W] = " + Arrays.toString(shape)
                + " (nested, or flat with " + shape[0] * shape[1] * shape[2] + " numbers in C, H, W order), as"
                + " {\"adapter\": NAME, \"image\": IMAGE} or {\"adapter\": NAME, \"images\": [IMAGE, ...]}",
                java.util.Map.of("expected_shape", shape));
    }
}
