package io.github.nola4j.samples.data;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds Fashion-MNIST (or data in its layout) and loads it.
 *
 * <p>Order of search: the folder given with {@code --data}; else the Debian package
 * {@code dataset-fashion-mnist} in {@value #SYSTEM_DIR}; else the subset shipped in this jar
 * (100 training and 50 test images per class, see {@value #SUBSET_RESOURCE}LICENSE).
 *
 * <p>A {@code --data} folder holds either the four IDX files ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte},
 * each optionally {@code .gz}; {@code .idx3-ubyte} spellings also work) or two image folders
 * {@code train/} and {@code test/}, each with one subfolder per class.
 */
public final class FashionMnist {

    /** Where {@code apt-get install dataset-fashion-mnist} puts the IDX files. */
    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";
    /** Classpath folder of the shipped subset. */
    public static final String SUBSET_RESOURCE = "/fashion-mnist-subset/";
    /** Height and width of Fashion-MNIST images; image folders are scaled to it. */
    public static final int IMAGE_SIZE = 28;

    private static final String[] SUFFIXES = {"", ".gz"};
    private static final String LAYOUT = "Point --data at a folder holding train-images-idx3-ubyte, "
            + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in .gz), "
            + "or holding train/ and test/ folders with one subfolder of images per class";

    private FashionMnist() {
    }

    /**
     * @param dataDir the {@code --data} folder, or null to use the system copy or the shipped subset
     */
    public static TrainTestData load(Path dataDir) {
        if (dataDir != null) {
            return loadFolder(dataDir);
        }
        Path system = Path.of(SYSTEM_DIR);
        if (idxFile(system, "train", "images", "idx3").isPresent()) {
            return loadFolder(system);
        }
        return loadSubset();
    }

    /** @return the subset shipped in the jar */
    public static TrainTestData loadSubset() {
        return new TrainTestData(subset("train"), subset("t10k"),
                "Fashion-MNIST subset shipped in the jar (100 train / 50 test images per class)", "subset");
    }

    private static LabelledImages subset(String split) {
        String images = SUBSET_RESOURCE + split + "-images-idx3-ubyte.gz";
        String labels = SUBSET_RESOURCE + split + "-labels-idx1-ubyte.gz";
        InputStream im = FashionMnist.class.getResourceAsStream(images);
        InputStream lb = FashionMnist.class.getResourceAsStream(labels);
        if (im == null || lb == null) {
            throw new InvalidDataException("classpath:" + SUBSET_RESOURCE, "the shipped subset is missing",
                    "Rebuild the jar, or install the full data: apt-get install dataset-fashion-mnist");
        }
        return IdxReader.read(im, "classpath:" + images, lb, "classpath:" + labels);
    }

    private static TrainTestData loadFolder(Path dir) {
        if (!Files.exists(dir)) {
            throw new InvalidDataException(dir.toString(), "--data folder does not exist", LAYOUT);
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidDataException(dir.toString(), "--data is not a folder", LAYOUT);
        }
        Optional<Path> trainImages = idxFile(dir, "train", "images", "idx3");
        if (trainImages.isPresent()) {
            LabelledImages train = IdxReader.read(trainImages.get(), require(dir, "train", "labels", "idx1"));
            LabelledImages test = IdxReader.read(require(dir, "t10k", "images", "idx3"),
                    require(dir, "t10k", "labels", "idx1"));
            return new TrainTestData(train, test, "IDX files in " + dir.toAbsolutePath(), "idx" + train.size());
        }
        Path trainDir = dir.resolve("train");
        Path testDir = dir.resolve("test");
        if (Files.isDirectory(trainDir) && Files.isDirectory(testDir)) {
            LabelledImages train = ImageFolderReader.read(trainDir, IMAGE_SIZE);
            LabelledImages test = ImageFolderReader.read(testDir, IMAGE_SIZE);
            if (train.classCounts().length != test.classCounts().length) {
                throw new InvalidDataException(dir.toString(), "train/ has " + train.classCounts().length
                        + " class folders but test/ has " + test.classCounts().length,
                        "Give train/ and test/ the same class subfolders");
            }
            return new TrainTestData(train, test, "image folders in " + dir.toAbsolutePath(),
                    "folder" + train.size());
        }
        throw new InvalidDataException(dir.toString(), "holds neither Fashion-MNIST IDX files nor train/ and test/ "
                + "image folders", LAYOUT);
    }

    private static Path require(Path dir, String split, String kind, String idx) {
        return idxFile(dir, split, kind, idx).orElseThrow(() -> new InvalidDataException(
                dir.resolve(split + "-" + kind + "-" + idx + "-ubyte").toString(), "file not found (nor .gz)",
                LAYOUT));
    }

    static Optional<Path> idxFile(Path dir, String split, String kind, String idx) {
        for (String sep : new String[] {"-", "."}) {
            for (String suffix : SUFFIXES) {
                Path p = dir.resolve(split + "-" + kind + sep + idx + "-ubyte" + suffix);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Class names of Fashion-MNIST by index. */
    public static final java.util.List<String> CLASS_NAMES = Arrays.asList("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
}
