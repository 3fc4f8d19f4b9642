package io.github.nola4j.samples.zoo;

import io.github.nola4j.samples.data.LabelledImages;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns grey-level images into ResNet50 input: bilinear upscaling to size × size (pixel centres
 * aligned, as {@code tf.image.resize}), the grey value copied to the 3 colour channels.
 *
 * <p>Values are pixel / 255 for a random init. For the ImageNet weights they are the Keras
 * "caffe" preprocessing the weights were trained with: 0-255 minus the mean of each BGR channel.
 */
public final class ZooImages {

    /** ImageNet means of the B, G and R channels on the 0-255 scale. */
    static final float[] IMAGENET_BGR_MEAN = {103.939f, 116.779f, 123.68f};

    private final int size;
    private final boolean imagenet;

    /**
     * @param size     output height and width
     * @param imagenet ImageNet "caffe" values instead of pixel / 255
     */
    public ZooImages(int size, boolean imagenet) {
        this.size = size;
        this.imagenet = imagenet;
    }

    /** @return images {@code indices} of {@code images} as [n, 3, size, size] */
    public INDArray features(LabelledImages images, int[] indices) {
        int rows = images.rows();
        int cols = images.cols();
        int plane = size * size;
        float[] out = new float[indices.length * 3 * plane];
        float[] scaled = new float[plane];
        for (int i = 0; i < indices.length; i++) {
            upscale(images.pixels(), indices[i] * rows * cols, rows, cols, scaled);
            for (int c = 0; c < 3; c++) {
                int offset = (i * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    out[offset + p] = imagenet ? scaled[p] - IMAGENET_BGR_MEAN[c] : scaled[p] / 255f;
                }
            }
        }
        return Nd4j.create(out, new long[] {indices.length, 3, size, size}, 'c');
    }

    /** Bilinear resampling of one uint8 image (at {@code offset}) to size × size, on the 0-255 scale. */
    private void upscale(byte[] pixels, int offset, int rows, int cols, float[] out) {
        for (int y = 0; y < size; y++) {
            float sy = clamp((y + 0.5f) * rows / size - 0.5f, rows - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, rows - 1);
            float fy = sy - y0;
            for (int x = 0; x < size; x++) {
                float sx = clamp((x + 0.5f) * cols / size - 0.5f, cols - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, cols - 1);
                float fx = sx - x0;
                float top = pixel(pixels, offset, cols, y0, x0) * (1 - fx) + pixel(pixels, offset, cols, y0, x1) * fx;
                float bottom = pixel(pixels, offset, cols, y1, x0) * (1 - fx)
                        + pixel(pixels, offset, cols, y1, x1) * fx;
                out[y * size + x] = top * (1 - fy) + bottom * fy;
            }
        }
    }

    private static float pixel(byte[] pixels, int offset, int cols, int y, int x) {
        return pixels[offset + y * cols + x] & 0xFF;
    }

    private static float clamp(float v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
