package io.github.nola4j.samples.serve;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming reader of {@code POST /v1/predict} bodies: every accepted layout, and a 400 for each mistake. */
class PredictRequestTest {

    private static final long[] GRAY = {1, 2, 3};
    private static final long[] TWO_CHANNELS = {2, 1, 2};

    private static PredictRequest parse(String body, long[] shape) {
        return PredictRequest.parse(body.getBytes(StandardCharsets.UTF_8), shape);
    }

    @Test
    void flatAndNestedImagesGiveTheSameValuesInCHWOrder() {
        float[] want = {1, 2, 3, 4, 5, 6.5f};
        for (String image : new String[] {"[1, 2, 3, 4, 5, 6.5]", "[[1, 2, 3], [4, 5, 6.5]]",
                "[[[1, 2, 3], [4, 5, 6.5]]]"}) {
            PredictRequest r = parse("{\"extra\": {\"a\": [1]}, \"image\": " + image + ", \"adapter\": \"shoes\"}", GRAY);
            assertEquals("shoes", r.adapter());
            assertEquals(1, r.count());
            assertArrayEquals(want, r.images(), image);
        }
        PredictRequest two = parse("{\"adapter\": \"bags\", \"images\": [[[[1, 2]], [[3, 4]]], [5, 6, 7, 8]]}",
                TWO_CHANNELS);
        assertEquals(2, two.count());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, two.images());
    }

    @Test
    void mistakesAre400NamingTheExpectedShape() {
        String[] bad = {
            "[1, 2]",                                                      // not an object
            "{\"image\": [1, 2, 3, 4, 5, 6]}",                             // no adapter
            "{\"adapter\": 7, \"image\": [1, 2, 3, 4, 5, 6]}",             // adapter not a string
            "{\"adapter\": \"a\"}",                                        // no image
            "{\"adapter\": \"a\", \"image\": [1, 2, 3, 4, 5, 6], \"images\": [[1, 2, 3, 4, 5, 6]]}",
            "{\"adapter\": \"a\", \"image\": [1, 2, 3, 4, 5]}",            // too few numbers
            "{\"adapter\": \"a\", \"image\": [1, 2, 3, 4, 5, 6, 7]}",      // too many
            "{\"adapter\": \"a\", \"image\": [[1, 2, 3], [4, 5]]}",        // ragged
            "{\"adapter\": \"a\", \"image\": [[1, 2, 3], 4, 5, 6]}",       // a number where a list belongs
            "{\"adapter\": \"a\", \"image\": [[1, 2, 3], [4, 5, [6]]]}",   // a list where a number belongs
            "{\"adapter\": \"a\", \"image\": [[[[1, 2, 3, 4, 5, 6]]]]}",   // too deep
            "{\"adapter\": \"a\", \"image\": [1, 2, 3, 4, 5, \"6\"]}",     // a string
            "{\"adapter\": \"a\", \"image\": [1, 2, 3, 4, 5, 1e400]}",     // not finite
            "{\"adapter\": \"a\", \"image\": 6}",
            "{\"adapter\": \"a\", \"images\": []}",
            "{\"adapter\": \"a\", \"image\": [1, 2, 3, 4, 5, 6]",          // truncated
            "{not json",
        };
        for (String body : bad) {
            HttpError e = assertThrows(HttpError.class, () -> parse(body, GRAY), body);
            assertEquals(400, e.status(), body);
            assertTrue(body.equals("{not json") || e.getMessage().contains("[1, 2, 3]")
                    || e.getMessage().contains("not valid JSON"), body + ": " + e.getMessage());
        }
    }

    @Test
    void moreImagesThanAllowedAre400() {
        StringBuilder many = new StringBuilder("{\"adapter\": \"a\", \"images\": [");
        for (int i = 0; i <= PredictRequest.MAX_IMAGES; i++) {
            many.append(i == 0 ? "" : ",").append("[1, 2, 3, 4, 5, 6]");
        }
        many.append("]}");
        assertEquals(400, assertThrows(HttpError.class, () -> parse(many.toString(), GRAY)).status());
    }
}
