package io.github.nola4j.samples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST, plain or gzipped (detected from the first two
 * bytes, not the file name).
 * <pre>
 *   images: int32 magic 0x00000803, int32 count, int32 rows, int32 cols, count·rows·cols uint8
 *   labels: int32 magic 0x00000801, int32 count, count uint8
 * </pre>
 * Integers are big-endian. Every problem (wrong magic, truncated or over-long file, image and label
 * counts that differ) is an {@link InvalidDataException} naming the file.
 */
public final class IdxReader {

    /** Magic number of an unsigned-byte IDX file with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an unsigned-byte IDX file with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC = 0x8b1f;
    private static final String FIX = "Use the original Fashion-MNIST files (apt-get install dataset-fashion-mnist "
            + "puts them in /usr/share/datasets/fashion-mnist) or download them again";

    private IdxReader() {
    }

    /** Reads an image file and its label file into one set. */
    public static LabelledImages read(Path images, Path labels) {
        Images im = readImages(open(images), images.toString());
        int[] lb = readLabels(open(labels), labels.toString());
        return combine(im, lb, images.toString(), labels.toString());
    }

    /** As {@link #read(Path, Path)}, from streams; the names are used in error messages. */
    public static LabelledImages read(InputStream images, String imagesName, InputStream labels, String labelsName) {
        Images im = readImages(images, imagesName);
        int[] lb = readLabels(labels, labelsName);
        return combine(im, lb, imagesName, labelsName);
    }

    private static LabelledImages combine(Images im, int[] labels, String imagesName, String labelsName) {
        if (im.count != labels.length) {
            throw new InvalidDataException(labelsName, "holds " + labels.length + " labels but " + imagesName
                    + " holds " + im.count + " images", "Pair each image file with its own label file "
                    + "(train-images with train-labels, t10k-images with t10k-labels)");
        }
        return new LabelledImages(im.pixels, labels, im.rows, im.cols);
    }

    private record Images(byte[] pixels, int count, int rows, int cols) {
    }

    private static InputStream open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidDataException(path.toString(), "file not found", "Check the path; " + FIX);
        }
        try {
            return Files.newInputStream(path);
        } catch (IOException e) {
            throw new InvalidDataException(path.toString(), "cannot be opened (" + e.getMessage() + ")",
                    "Check the file's permissions", e);
        }
    }

    private static Images readImages(InputStream raw, String name) {
        try (DataInputStream in = new DataInputStream(decompress(raw, name))) {
            int magic = header(in, name, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw wrongMagic(name, magic, IMAGES_MAGIC, "image", "t10k-images-idx3-ubyte");
            }
            int count = header(in, name, "image count");
            int rows = header(in, name, "row count");
            int cols = header(in, name, "column count");
            if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new InvalidDataException(name, "has an impossible header: " + count + " images of " + rows
                        + "x" + cols, FIX);
            }
            byte[] pixels = body(in, count * rows * cols, name, count + " images of " + rows + "x" + cols + " pixels");
            return new Images(pixels, count, rows, cols);
        } catch (IOException e) {
            throw new InvalidDataException(name, "cannot be read, it is corrupt or truncated (" + e.getMessage() + ")", FIX, e);
        }
    }

    private static int[] readLabels(InputStream raw, String name) {
        try (DataInputStream in = new DataInputStream(decompress(raw, name))) {
            int magic = header(in, name, "magic number");
            if (magic != LABELS_MAGIC) {
                throw wrongMagic(name, magic, LABELS_MAGIC, "label", "t10k-labels-idx1-ubyte");
            }
            int count = header(in, name, "label count");
            if (count < 0) {
                throw new InvalidDataException(name, "has a negative label count " + count, FIX);
            }
            byte[] bytes = body(in, count, name, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            return labels;
        } catch (IOException e) {
            throw new InvalidDataException(name, "cannot be read, it is corrupt or truncated (" + e.getMessage() + ")", FIX, e);
        }
    }

    private static InputStream decompress(InputStream raw, String name) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 >= 0 && b1 >= 0 && (b0 | (b1 << 8)) == GZIP_MAGIC) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    private static int header(DataInputStream in, String name, String field) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new InvalidDataException(name, "is truncated: it ends inside the header (" + field + ")", FIX, e);
        }
    }

    private static byte[] body(DataInputStream in, int length, String name, String what) throws IOException {
        byte[] body = new byte[length];
        int read = in.readNBytes(body, 0, length);
        if (read < length) {
            throw new InvalidDataException(name, "is truncated: its header announces " + what + " (" + length
                    + " bytes) but only " + read + " bytes follow", FIX);
        }
        if (in.read() >= 0) {
            throw new InvalidDataException(name, "is longer than its header says (" + what + ")", FIX);
        }
        return body;
    }

    private static InvalidDataException wrongMagic(String name, int found, int expected, String kind,
                                                   String example) {
        return new InvalidDataException(name, String.format("is not an IDX %s file: magic number 0x%08X, expected "
                + "0x%08X", kind, found, expected), "Pass an IDX " + kind + " file such as " + example
                + "(.gz); if this is an image file it may have been swapped with the " + (kind.equals("image")
                ? "label" : "image") + " file");
    }
}
