package io.github.nola4j.samples.data;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads an image folder with one subfolder per class (class index = position of the subfolder in
 * name order) through {@link ImageIO} (PNG, JPEG, GIF, BMP). Images are converted to grey levels
 * and scaled to {@code size × size} pixels.
 */
public final class ImageFolderReader {

    private ImageFolderReader() {
    }

    /**
     * @param folder a folder holding one subfolder of images per class
     * @param size   height and width of the images returned
     */
    public static LabelledImages read(Path folder, int size) {
        List<Path> classDirs = subfolders(folder);
        if (classDirs.isEmpty()) {
            throw new InvalidDataException(folder.toString(), "has no class subfolders",
                    "Put the images of each class in their own subfolder, e.g. " + folder.resolve("0/img1.png"));
        }
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            for (Path file : files(classDirs.get(c))) {
                images.add(grey(file, size));
                labels.add(c);
            }
        }
        byte[] pixels = new byte[images.size() * size * size];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, pixels, i * size * size, size * size);
        }
        return new LabelledImages(pixels, labels.stream().mapToInt(Integer::intValue).toArray(), size, size);
    }

    private static List<Path> subfolders(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new InvalidDataException(folder.toString(), "cannot be listed (" + e.getMessage() + ")",
                    "Check that the folder exists and is readable", e);
        }
    }

    private static List<Path> files(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new InvalidDataException(folder.toString(), "cannot be listed (" + e.getMessage() + ")",
                    "Check that the folder is readable", e);
        }
    }

    private static byte[] grey(Path file, int size) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new InvalidDataException(file.toString(), "cannot be read as an image (" + e.getMessage() + ")",
                    "Replace or remove the file", e);
        }
        if (image == null) {
            throw new InvalidDataException(file.toString(), "is not an image format Java can read",
                    "Use PNG, JPEG, GIF or BMP files, or remove the file from the class folder");
        }
        BufferedImage g = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D graphics = g.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        graphics.drawImage(image, 0, 0, size, size, null);
        graphics.dispose();
        byte[] out = new byte[size * size];
        g.getRaster().getDataElements(0, 0, size, size, out);
        return out;
    }
}
