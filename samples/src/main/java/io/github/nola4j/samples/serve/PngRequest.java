package io.github.nola4j.samples.serve;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * A {@code POST /v1/predict} with {@code Content-Type: image/png}: the body is one PNG, the adapter is named in the
 * query ({@code /v1/predict?adapter=NAME}). The PNG is decoded with javax.imageio's PNG reader and must have the
 * served image's height, width and channels (1: grayscale; 3: RGB, an alpha channel is ignored); each sample
 * becomes sample / (2^bits − 1), in [0, 1], in C, H, W order. Anything else is a 400 naming the expected shape.
 */
final class PngRequest {

    /** The media type that selects this reader. */
    static final String MEDIA_TYPE = "image/png";

    private PngRequest() {
    }

    /** @return true when {@code contentType} (a Content-Type header, may be null) names a PNG */
    static boolean isPng(String contentType) {
        return contentType != null && contentType.trim().toLowerCase(java.util.Locale.ROOT).startsWith(MEDIA_TYPE);
    }

    /**
     * @param body     the request body
     * @param rawQuery the request URI's raw query, or null
     * @param shape    {C, H, W} of the served images
     * @throws HttpError 400 for a missing adapter name, a body that is not a PNG, or a PNG of another shape
     */
    static PredictRequest parse(byte[] body, String rawQuery, long[] shape) {
        String adapter = adapterOf(rawQuery, shape);
        BufferedImage image = decode(body, shape);
        int channels = image.getColorModel().getNumColorComponents();
        if (image.getHeight() != shape[1] || image.getWidth() != shape[2] || channels != shape[0]) {
            throw bad("the PNG is " + image.getHeight() + "x" + image.getWidth() + " with " + channels + " colour"
                    + " channel(s)", shape);
        }
        Raster raster = image.getRaster();
        int h = (int) shape[1];
        int w = (int) shape[2];
        float[] values = new float[(int) (shape[0] * h * w)];
        for (int c = 0; c < shape[0]; c++) {
            float max = (1 << image.getColorModel().getComponentSize(c)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    values[(c * h + y) * w + x] = raster.getSample(x, y, c) / max;
                }
            }
        }
        return new PredictRequest(adapter, values, 1);
    }

    private static String adapterOf(String rawQuery, long[] shape) {
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals("adapter")) {
                    String name = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    if (!name.isBlank()) {
                        return name;
                    }
                }
            }
        }
        throw bad("a PNG body needs the adapter's name in the query, as /v1/predict?adapter=NAME", shape);
    }

    private static BufferedImage decode(byte[] body, long[] shape) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(body))) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } catch (IOException | RuntimeException e) {
            throw bad("the body is not a readable PNG (" + e.getMessage() + ")", shape);
        } finally {
            reader.dispose();
        }
    }

    private static HttpError bad(String what, long[] shape) {
        return new HttpError(400, what + "; expected one PNG of " + shape[1] + "x" + shape[2] + " pixels, "
                + (shape[0] == 1 ? "grayscale" : shape[0] + " colour channels (RGB)") + ", i.e. shape [C, H, W] = "
                + Arrays.toString(shape), Map.of("expected_shape", shape));
    }
}
