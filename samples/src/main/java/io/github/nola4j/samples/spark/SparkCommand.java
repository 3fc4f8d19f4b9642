package io.github.nola4j.samples.spark;

import io.github.nola4j.samples.data.FashionMnist;
import io.github.nola4j.samples.data.TrainTestData;
import io.github.nola4j.samples.train.PretrainConfig;
import io.github.nola4j.samples.train.PretrainResult;
import io.github.nola4j.samples.train.Pretraining;
import io.github.nola4j.samples.train.ProgressBar;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code spark}: the samples' NOLA fine-tuning on Spark, printing accuracy, time and bytes per
 * averaging round of NOLA-aware coefficient averaging and of DL4J's parameter averaging, next to
 * one machine. This class refers to no Spark type, so it can explain a jar without Spark.
 */
public final class SparkCommand {

    /** The JVM flags Spark 3.1 needs on Java 17. */
    public static final String JAVA17_FLAGS = "--add-opens=java.base/java.nio=ALL-UNNAMED "
            + "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/sun.security.action=ALL-UNNAMED "
            + "--add-opens=java.base/java.lang=ALL-UNNAMED "
            + "--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED "
            + "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED";

    private SparkCommand() {
    }

    /**
     * @return 0, or 1 when Spark is missing or the JVM lacks the flags Spark needs
     * @throws io.github.nola4j.samples.UsageException for a bad command line
     */
    public static int run(String[] args, Path defaultWork, PrintStream out, PrintStream err, ProgressBar progress) {
        SparkSettings settings = SparkSettings.parse(args, defaultWork);
        if (!sparkPresent()) {
            err.println("error: Spark is not in this jar. Build the samples with Spark and run that jar:\n"
                    + "  mvn -B -ntp -Pspark -pl samples -am package -DskipTests\n"
                    + "  java " + JAVA17_FLAGS + " -jar samples/target/nola-samples-spark.jar spark");
            return 1;
        }
        if (!Object.class.getModule().isOpen("java.nio", SparkCommand.class.getModule())) {
            err.println("error: Spark needs these JVM flags on Java 17: java " + JAVA17_FLAGS + " -jar ...");
            return 1;
        }
        TrainTestData data = FashionMnist.load(settings.data());
        out.println("spark: NOLA fine-tuning on Spark, coefficient averaging against DL4J's parameter averaging");
        out.println("  data                  " + data.description());
        MultiLayerNetwork base;
        if (settings.base() != null) {
            base = Pretraining.load(settings.base());
            out.println("  base                  " + settings.base());
        } else {
            PretrainResult pretrained = Pretraining.loadOrTrain(data, PretrainConfig.defaults(), settings.work(),
                    progress);
            base = pretrained.net();
            out.println("  base                  " + pretrained.file());
        }
        new SparkComparison(settings, progress).runAll(base, data, out);
        return 0;
    }

    private static boolean sparkPresent() {
        try {
            Class.forName("org.apache.spark.SparkConf", false, SparkCommand.class.getClassLoader());
            Class.forName("io.github.nola4j.spark.CoefficientAveragingTrainer", false,
                    SparkCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
