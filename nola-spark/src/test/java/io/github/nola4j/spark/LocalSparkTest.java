package io.github.nola4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the Spark tests: one local[2] context ({@link Fixtures#localSpark}) per test class. */
abstract class LocalSparkTest {

    protected static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = Fixtures.localSpark();
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }
}
