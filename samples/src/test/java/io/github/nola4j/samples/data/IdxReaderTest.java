package io.github.nola4j.samples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {

    @TempDir
    Path dir;

    private final LabelledImages sample = IdxFiles.sample(7, 4, 3, 3);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTrip(boolean gzip) throws IOException {
        Path images = IdxFiles.write(dir.resolve("im"), IdxFiles.images(sample), gzip);
        Path labels = IdxFiles.write(dir.resolve("lb"), IdxFiles.labels(sample), gzip);
        LabelledImages read = IdxReader.read(images, labels);
        assertEquals(sample, read);
        assertEquals(4, read.rows());
        assertEquals(3, read.cols());
    }

    @Test
    void wrongMagicInImageFile() throws IOException {
        Path labels = IdxFiles.write(dir.resolve("lb"), IdxFiles.labels(sample), false);
        // a label file passed as the image file
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(labels, labels));
        assertMessage(e, labels.toString(), "magic number 0x00000801, expected 0x00000803", "swapped");
    }

    @Test
    void wrongMagicInLabelFile() throws IOException {
        Path images = IdxFiles.write(dir.resolve("im"), IdxFiles.images(sample), true);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, images));
        assertMessage(e, images.toString(), "expected 0x00000801");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path images = IdxFiles.write(dir.resolve("im"), Arrays.copyOf(IdxFiles.images(sample), 10), false);
        Path labels = IdxFiles.write(dir.resolve("lb"), IdxFiles.labels(sample), false);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, labels));
        assertMessage(e, images.toString(), "truncated", "header");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncatedBody(boolean gzip) throws IOException {
        byte[] full = IdxFiles.images(sample);
        Path images = IdxFiles.write(dir.resolve("im"), Arrays.copyOf(full, full.length - 5), gzip);
        Path labels = IdxFiles.write(dir.resolve("lb"), IdxFiles.labels(sample), false);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, labels));
        assertMessage(e, images.toString(), "truncated", "7 images of 4x3");
    }

    @Test
    void truncatedGzipStream() throws IOException {
        Path whole = IdxFiles.write(dir.resolve("whole"), IdxFiles.images(sample), true);
        byte[] gz = Files.readAllBytes(whole);
        Path images = Files.write(dir.resolve("im.gz"), Arrays.copyOf(gz, gz.length / 2));
        Path labels = IdxFiles.write(dir.resolve("lb"), IdxFiles.labels(sample), false);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, labels));
        assertMessage(e, images.toString(), "truncated");
    }

    @Test
    void longerThanHeader() throws IOException {
        byte[] full = IdxFiles.labels(sample);
        Path images = IdxFiles.write(dir.resolve("im"), IdxFiles.images(sample), false);
        Path labels = IdxFiles.write(dir.resolve("lb"), Arrays.copyOf(full, full.length + 3), false);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, labels));
        assertMessage(e, labels.toString(), "longer than its header says");
    }

    @Test
    void countMismatch() throws IOException {
        LabelledImages fewer = IdxFiles.sample(5, 4, 3, 3);
        Path images = IdxFiles.write(dir.resolve("im"), IdxFiles.images(sample), false);
        Path labels = IdxFiles.write(dir.resolve("lb"), IdxFiles.labels(fewer), false);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, labels));
        assertMessage(e, labels.toString(), "5 labels", "7 images", "Pair each image file");
    }

    @Test
    void missingFile() {
        Path images = dir.resolve("nope");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> IdxReader.read(images, images));
        assertMessage(e, images.toString(), "file not found", "apt-get install dataset-fashion-mnist");
    }

    static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "\"" + part + "\" missing from: " + e.getMessage());
        }
    }
}
