package io.github.nola4j.samples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.github.nola4j.samples.data.IdxReaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FashionMnistTest {

    @TempDir
    Path dir;

    @Test
    void shippedSubsetHasEveryClass() {
        TrainTestData data = FashionMnist.loadSubset();
        assertEquals(1000, data.train().size());
        assertEquals(500, data.test().size());
        assertEquals(28, data.train().rows());
        assertEquals(28, data.train().cols());
        int[] hundred = new int[10];
        int[] fifty = new int[10];
        java.util.Arrays.fill(hundred, 100);
        java.util.Arrays.fill(fifty, 50);
        assertArrayEquals(hundred, data.train().classCounts());
        assertArrayEquals(fifty, data.test().classCounts());
        assertEquals("subset", data.id());
    }

    @Test
    void idxFolderWithGzAndPlainFiles() throws IOException {
        LabelledImages train = IdxFiles.sample(12, 28, 28, 3);
        LabelledImages test = IdxFiles.sample(6, 28, 28, 3);
        IdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxFiles.images(train), true);
        IdxFiles.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(train), false);
        IdxFiles.write(dir.resolve("t10k-images.idx3-ubyte"), IdxFiles.images(test), false);
        IdxFiles.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxFiles.labels(test), true);
        TrainTestData data = FashionMnist.load(dir);
        assertEquals(train, data.train());
        assertEquals(test, data.test());
    }

    @Test
    void missingTestFileIsNamed() throws IOException {
        LabelledImages train = IdxFiles.sample(12, 28, 28, 3);
        IdxFiles.write(dir.resolve("train-images-idx3-ubyte"), IdxFiles.images(train), false);
        IdxFiles.write(dir.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(train), false);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> FashionMnist.load(dir));
        assertMessage(e, "t10k-images-idx3-ubyte", "not found", "Point --data at");
    }

    @Test
    void missingFolder() {
        Path missing = dir.resolve("does-not-exist");
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> FashionMnist.load(missing));
        assertMessage(e, missing.toString(), "does not exist", "Point --data at");
    }

    @Test
    void folderWithoutData() {
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> FashionMnist.load(dir));
        assertMessage(e, dir.toString(), "neither", "train/ and test/");
    }

    @Test
    void imageFolders() throws IOException {
        for (String split : new String[] {"train", "test"}) {
            for (String cls : new String[] {"boots", "shirts"}) {
                Path folder = Files.createDirectories(dir.resolve(split).resolve(cls));
                for (int i = 0; i < 3; i++) {
                    BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                    image.setRGB(0, 0, cls.equals("boots") ? 0xFFFFFF : 0x000000);
                    ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
                }
            }
        }
        TrainTestData data = FashionMnist.load(dir);
        assertEquals(6, data.train().size());
        assertEquals(28, data.train().rows());
        assertArrayEquals(new int[] {3, 3}, data.test().classCounts());
    }

    @Test
    void unreadableImageIsNamed() throws IOException {
        for (String split : new String[] {"train", "test"}) {
            Path folder = Files.createDirectories(dir.resolve(split).resolve("a"));
            Files.writeString(folder.resolve("broken.png"), "not an image");
        }
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> FashionMnist.load(dir));
        assertMessage(e, "broken.png", "not an image format");
    }
}
