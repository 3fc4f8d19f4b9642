package io.github.nola4j.samples.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Grey-level images with integer class labels, kept as bytes.
 *
 * @param pixels row-major uint8 pixels, {@code size() · rows · cols} bytes, image after image
 * @param labels class index of each image, 0 ≤ label &lt; 256
 * @param rows   image height in pixels
 * @param cols   image width in pixels
 */
public record LabelledImages(byte[] pixels, int[] labels, int rows, int cols) {

    public LabelledImages {
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels: " + pixels.length + " bytes, expected labels ("
                    + labels.length + ") · rows (" + rows + ") · cols (" + cols + ")");
        }
    }

    public int size() {
        return labels.length;
    }

    /** @return images per class index, length = largest label + 1 */
    public int[] classCounts() {
        int max = Arrays.stream(labels).max().orElse(-1);
        int[] counts = new int[max + 1];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * Keeps the images of the given classes and relabels them by position: the images of
     * {@code classes[i]} get label i.
     *
     * @throws IllegalArgumentException when a class repeats or has no image
     */
    public LabelledImages onlyClasses(int[] classes) {
        int[] newLabel = new int[256];
        Arrays.fill(newLabel, -1);
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] > 255 || newLabel[classes[i]] >= 0) {
                throw new IllegalArgumentException("classes " + Arrays.toString(classes)
                        + ": each class must be a distinct index in 0..255");
            }
            newLabel[classes[i]] = i;
        }
        int[] counts = classCounts();
        for (int c : classes) {
            if (c >= counts.length || counts[c] == 0) {
                throw new IllegalArgumentException("class " + c + " has no image here (classes present: "
                        + presentClasses() + "); choose classes that exist in the data");
            }
        }
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (newLabel[labels[i]] >= 0) {
                keep.add(i);
            }
        }
        LabelledImages kept = select(keep.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < kept.labels.length; i++) {
            kept.labels[i] = newLabel[kept.labels[i]];
        }
        return kept;
    }

    /**
     * Picks {@code perClass} images of each class at random (seeded), in class-interleaved random order.
     *
     * @throws IllegalArgumentException when a class has fewer images than asked for
     */
    public LabelledImages sampleShots(int perClass, long seed) {
        int[] counts = classCounts();
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> chosen = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                continue;
            }
            if (counts[c] < perClass) {
                throw new IllegalArgumentException("--shots " + perClass + ": class index " + c + " has only "
                        + counts[c] + " training images; use --shots " + counts[c] + " or less, or more data");
            }
            int[] members = new int[counts[c]];
            int n = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    members[n++] = i;
                }
            }
            shuffle(members, random);
            for (int i = 0; i < perClass; i++) {
                chosen.add(members[i]);
            }
        }
        int[] order = chosen.stream().mapToInt(Integer::intValue).toArray();
        shuffle(order, random);
        return select(order);
    }

    /** @return the images at the given indices, in that order */
    public LabelledImages select(int[] indices) {
        int pixelsPerImage = rows * cols;
        byte[] p = new byte[indices.length * pixelsPerImage];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * pixelsPerImage, p, i * pixelsPerImage, pixelsPerImage);
            l[i] = labels[indices[i]];
        }
        return new LabelledImages(p, l, rows, cols);
    }

    /** @return images {@code indices} as features [n, 1, rows, cols] in [0, 1] (pixel / 255) */
    public INDArray features(int[] indices) {
        int pixelsPerImage = rows * cols;
        float[] f = new float[indices.length * pixelsPerImage];
        for (int i = 0; i < indices.length; i++) {
            int offset = indices[i] * pixelsPerImage;
            for (int j = 0; j < pixelsPerImage; j++) {
                f[i * pixelsPerImage + j] = (pixels[offset + j] & 0xFF) / 255f;
            }
        }
        return Nd4j.create(f, new long[] {indices.length, 1, rows, cols}, 'c');
    }

    /** @return one-hot labels [n, numClasses] of images {@code indices} */
    public INDArray oneHotLabels(int[] indices, int numClasses) {
        float[] y = new float[indices.length * numClasses];
        for (int i = 0; i < indices.length; i++) {
            y[i * numClasses + labels[indices[i]]] = 1f;
        }
        return Nd4j.create(y, new long[] {indices.length, numClasses}, 'c');
    }

    private String presentClasses() {
        int[] counts = classCounts();
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                s.append(s.length() == 0 ? "" : ",").append(c);
            }
        }
        return s.toString();
    }

    /** Fisher-Yates shuffle of {@code a} in place, driven by {@code random}. */
    public static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledImages that && rows == that.rows && cols == that.cols
                && Arrays.equals(pixels, that.pixels) && Arrays.equals(labels, that.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(labels) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "LabelledImages[" + size() + " images of " + rows + "x" + cols + ", class counts "
                + Arrays.toString(classCounts()) + "]";
    }
}
