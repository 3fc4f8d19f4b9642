package io.github.nola4j.samples.serve;

import io.github.nola4j.layers.adapter.AdaptedNetwork;
import io.github.nola4j.layers.adapter.AdapterBank;
import io.github.nola4j.layers.adapter.LoadOptions;
import io.github.nola4j.samples.cnn.BaseCnn;
import io.github.nola4j.zoo.NolaTransfer;
import io.github.nola4j.zoo.TransferResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The server on loopback: answers equal the AdapterBank's; unknown adapter 404 listing the known ones,
 * wrong-size and malformed bodies 400 naming the shape, an over-limit body 413, a wrong method 405; a corrupt
 * file and an adapter of another base are skipped at start with their reasons, and the server keeps serving.
 */
class AdapterServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ServedModel MODEL = ServedModel.of("cnn", 0, null);

    @TempDir
    static Path dir;
    private static ServerStart server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        TransferResult<?> t = MODEL.transfer(MODEL.base());
        AdapterMaker.write(t, dir, 0, 3);
        Files.write(dir.resolve("corrupt.nola"), new byte[] {1, 2, 3, 4});
        TransferResult<?> other = MODEL.transfer(BaseCnn.create(ServedModel.CLASSES, 99));   // another base
        Path foreign = AdapterMaker.write(other, dir.resolve("other"), 7, 1).get(0);
        Files.move(foreign, dir.resolve("foreign.nola"));
        server = ServerStart.start(MODEL.base(), MODEL, dir, new AdapterServer.Settings("127.0.0.1", 0, 64 << 10, 8),
                new ServerStart.Tuning(ServerStart.Engine.MIXED, 2, 2000, 64, 1L << 20, 1));
        url = "http://127.0.0.1:" + server.server().port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String image(INDArray x) {
        return Arrays.toString(x.dup().data().asFloat());
    }

    @Test
    void acceptedConnectionsSendWithoutNaglesDelay() {
        assertEquals("true", System.getProperty(AdapterServer.NO_DELAY_PROPERTY),
                "the JDK server reads this switch once; without it answers waited for delayed ACKs");
    }

    @Test
    void answersEqualTheBanksAndBadFilesAreSkipped() throws Exception {
        JsonNode adapters = JSON.readTree(get("/v1/adapters").body());
        assertEquals(List.of("task0", "task1", "task2"), JSON.convertValue(adapters.get("adapters"), List.class));
        assertTrue(adapters.get("skipped").has("corrupt"), adapters.toString());
        assertTrue(adapters.get("skipped").get("foreign").asText().contains("fingerprint"), adapters.toString());
        assertEquals(200, get("/health").statusCode());

        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28);
        HttpResponse<String> r = post("/v1/predict", "{\"adapter\": \"task1\", \"images\": [" + image(x.get(NDArrayIndex.point(0)))
                + ", " + image(x.get(NDArrayIndex.point(1))) + "]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals("task1", answer.get("adapter").asText());
        MultiLayerNetwork ref = (MultiLayerNetwork) NolaTransfer.of(MODEL.base()).restore(dir.resolve("task0.nola"))
                .network();
        AdapterBank bank = new AdapterBank(AdaptedNetwork.of(ref), List.of(BaseCnn.HEAD), LoadOptions.STRICT);
        bank.add("task1", dir.resolve("task1.nola"));
        bank.activate("task1");
        INDArray want = ref.output(x, false);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < ServedModel.CLASSES; j++) {
                assertEquals(want.getDouble(i, j), answer.get("probabilities").get(i).get(j).asDouble(), 1e-6);
            }
        }
        // nested [H][W] for one channel is the same image
        float[][] nested = x.get(NDArrayIndex.point(0)).reshape(28, 28).toFloatMatrix();
        JsonNode again = JSON.readTree(post("/v1/predict", "{\"adapter\": \"task1\", \"image\": "
                + JSON.writeValueAsString(nested) + "}").body());
        for (int j = 0; j < ServedModel.CLASSES; j++) {   // a batch of 1, not 2: float sums may differ in the last bit
            assertEquals(want.getDouble(0, j), again.get("probabilities").get(0).get(j).asDouble(), 1e-6);
        }
    }

    @Test
    void badRequestsGetJsonErrorsAndTheServerKeepsServing() throws Exception {
        String ok = "{\"adapter\": \"task0\", \"image\": " + image(Nd4j.rand(DataType.FLOAT, 1, 28, 28)) + "}";
        HttpResponse<String> unknown = post("/v1/predict", ok.replace("task0", "../../etc/passwd"));
        assertEquals(404, unknown.statusCode());
        assertEquals(List.of("task0", "task1", "task2"),
                JSON.convertValue(JSON.readTree(unknown.body()).get("known_adapters"), List.class));

        HttpResponse<String> small = post("/v1/predict", "{\"adapter\": \"task0\", \"image\": [1, 2, 3]}");
        assertEquals(400, small.statusCode());
        assertTrue(small.body().contains("[1, 28, 28]") && small.body().contains("784"), small.body());
        assertEquals(400, post("/v1/predict", "{\"adapter\": \"task0\", \"image\": [[1, 2], [3]]}").statusCode());
        assertEquals(400, post("/v1/predict", "{not json").statusCode());
        assertEquals(400, post("/v1/predict", "{\"image\": [1]}").statusCode());
        assertEquals(400, post("/v1/predict", ok.replace("0.", "\"x\", 0.")).statusCode());

        HttpResponse<String> big = post("/v1/predict", "{\"adapter\": \"task0\", \"images\": [" + (ok + ",").repeat(12)
                + "1]}");
        assertEquals(413, big.statusCode(), big.body());
        assertTrue(JSON.readTree(big.body()).get("error").asText().contains("limit"));
        assertEquals(405, get("/v1/predict").statusCode());

        assertEquals(200, post("/v1/predict", ok).statusCode(), "still serving");
    }

    private static byte[] png(int type, int h, int w, long seed) throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, type);
        java.util.Random random = new java.util.Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = random.nextInt(256);
                img.setRGB(x, y, 0xFF000000 | v << 16 | v << 8 | v);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertTrue(javax.imageio.ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    private static HttpResponse<String> postPng(String query, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/predict" + query))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pngBodiesAnswerAsTheirPixelsInJsonAndWrongOnesGet400() throws Exception {
        byte[] gray = png(java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 28, 28, 3);
        HttpResponse<String> r = postPng("?adapter=task2", gray);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals("task2", answer.get("adapter").asText());
        java.awt.image.Raster raster = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(gray)).getRaster();
        float[] pixels = new float[28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = raster.getSample(i % 28, i / 28, 0) / 255f;
        }
        JsonNode json = JSON.readTree(post("/v1/predict", "{\"adapter\": \"task2\", \"image\": "
                + Arrays.toString(pixels) + "}").body());
        assertEquals(json.get("probabilities"), answer.get("probabilities"), "the PNG is its pixels / 255");

        HttpResponse<String> small = postPng("?adapter=task2", png(java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 27, 28,
                1));
        assertEquals(400, small.statusCode(), small.body());
        assertTrue(small.body().contains("27x28") && small.body().contains("28x28 pixels, grayscale"), small.body());
        assertEquals(List.of(1, 28, 28), JSON.convertValue(JSON.readTree(small.body()).get("expected_shape"),
                List.class));
        HttpResponse<String> rgb = postPng("?adapter=task2", png(java.awt.image.BufferedImage.TYPE_INT_RGB, 28, 28, 1));
        assertEquals(400, rgb.statusCode(), rgb.body());
        assertTrue(rgb.body().contains("3 colour channel(s)"), rgb.body());
        assertEquals(400, postPng("?adapter=task2", new byte[] {1, 2, 3}).statusCode());
        assertEquals(400, postPng("", gray).statusCode());
        assertEquals(404, postPng("?adapter=task9", gray).statusCode());
        assertEquals(200, postPng("?size=1&adapter=task%30", gray).statusCode(), "an encoded name: task0");
    }
}
