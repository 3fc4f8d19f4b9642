package io.github.nola4j.layers;

import io.github.nola4j.plain.PlainRestoreMain;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@link PlainRestoreMain} in a child JVM whose class path lacks nola-layers' classes. */
final class PlainRestore {

    private PlainRestore() {
    }

    static INDArray outputInFreshJvmWithoutNola(File model, INDArray input, Path dir) throws Exception {
        String nolaClasses = Paths.get(NolaLayer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Paths.get(entry).toString().equals(nolaClasses)) {
                entries.add(entry);
            }
        }
        File in = dir.resolve("input.bin").toFile();
        File out = dir.resolve("output.bin").toFile();
        Nd4j.saveBinary(input, in);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, entries),
                PlainRestoreMain.class.getName(), model.getPath(), in.getPath(), out.getPath())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("child JVM failed: " + Files.readString(dir.resolve("child.log")));
        }
        return Nd4j.readBinary(out);
    }
}
